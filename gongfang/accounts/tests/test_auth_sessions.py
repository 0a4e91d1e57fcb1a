"""Sessions (DESIGN §6): 30 idle minutes, an absolute lifetime, a password change ends the other
sessions, and the owner sees and ends their sessions on 我的会话."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse

from ..models import UserSession
from ..roles import Role
from ..sessions import AUTH_AT, SEEN_AT, TOUCHED_AT
from .conftest import PASSWORD, browser, events, login, make_account

pytestmark = [pytest.mark.real_auth, pytest.mark.django_db]

PAGE = "accounts:sessions"


def signed_in(client) -> bool:
    response = client.get(reverse(PAGE))
    return response.status_code == 200


def shift(client, key: str, seconds: float) -> None:
    """Move one of the session's clocks back by ``seconds``."""
    session = client.session
    session[key] = session[key] - seconds
    session.save()


@pytest.fixture
def user(db):
    return make_account("unit1", Role.UNIT_ADMIN)


def test_login_registers_the_session(user):
    client = browser("10.3.3.3", "Firefox 测试")
    login(client, "unit1")
    row = UserSession.objects.get(user=user)
    assert row.session_key == client.session.session_key
    assert row.ip_address == "10.3.3.3" and row.user_agent == "Firefox 测试"
    assert client.session.get_expiry_age() == 30 * 60


def test_idle_for_30_minutes_ends_the_session(user):
    client = browser()
    login(client, "unit1")
    shift(client, SEEN_AT, 29 * 60)
    assert signed_in(client)
    shift(client, SEEN_AT, 30 * 60 + 1)
    response = client.get(reverse(PAGE))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    assert "30 分钟未操作" in client.get(response["Location"]).content.decode()
    assert not signed_in(client)
    assert events("auth.logout", user=user).get().postchange_data == {"reason": "idle"}
    assert not UserSession.objects.filter(user=user).exists()


def test_idle_session_is_gone_from_the_store_too(user):
    client = browser()
    login(client, "unit1")
    key = client.session.session_key
    # The store's own expiry (SESSION_COOKIE_AGE, renewed on every request) ends it as well.
    Session.objects.filter(session_key=key).update(
        expire_date=Session.objects.get().expire_date.replace(year=2000)
    )
    assert not signed_in(client)


def test_absolute_lifetime_ends_an_active_session(user):
    client = browser()
    login(client, "unit1")
    shift(client, AUTH_AT, 12 * 3600 - 60)
    assert signed_in(client)
    shift(client, AUTH_AT, 120)
    assert not signed_in(client)
    assert events("auth.logout", user=user).get().postchange_data == {"reason": "absolute"}


@override_settings(SESSION_ABSOLUTE_AGE=3600)
def test_absolute_lifetime_is_a_setting(user):
    client = browser()
    login(client, "unit1")
    shift(client, AUTH_AT, 3601)
    assert not signed_in(client)


def test_list_and_end_own_sessions(user):
    other_user = make_account("unit2", Role.UNIT_ADMIN)
    office, home = browser("10.0.0.1", "办公室"), browser("10.0.0.2", "家里")
    stranger = browser("10.0.0.3")
    login(office, "unit1")
    login(home, "unit1")
    login(stranger, "unit2")

    page = office.get(reverse(PAGE)).content.decode()
    assert "10.0.0.1" in page and "10.0.0.2" in page and "10.0.0.3" not in page
    assert "当前会话" in page

    home_row = UserSession.objects.get(user=user, ip_address="10.0.0.2")
    stranger_row = UserSession.objects.get(user=other_user)
    # Someone else's session is not theirs to end.
    assert office.post(reverse("accounts:session_end", args=[stranger_row.pk])).status_code == 404
    assert signed_in(stranger)

    response = office.post(reverse("accounts:session_end", args=[home_row.pk]))
    assert response.status_code == 302
    assert not signed_in(home)
    assert signed_in(office)
    assert events("auth.session_end", user=user).count() == 1


def test_end_all_other_sessions(user):
    clients = [browser(f"10.0.1.{i}") for i in range(3)]
    for client in clients:
        login(client, "unit1")
    clients[0].post(reverse("accounts:sessions_end_others"))
    assert signed_in(clients[0])
    assert not signed_in(clients[1]) and not signed_in(clients[2])
    assert UserSession.objects.filter(user=user).count() == 1


def test_a_session_ended_elsewhere_is_signed_out_whatever_the_store(user):
    client = browser()
    login(client, "unit1")
    UserSession.objects.filter(user=user).delete()  # as if ended by its owner elsewhere
    shift(client, TOUCHED_AT, 120)
    response = client.get(reverse(PAGE))
    assert response.status_code == 302
    assert not signed_in(client)


def test_password_change_ends_the_other_sessions(user):
    mine, other = browser("10.0.0.1"), browser("10.0.0.2")
    login(mine, "unit1")
    login(other, "unit1")
    response = mine.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Fresh#Pass2026",
            "new_password2": "Fresh#Pass2026",
        },
    )
    assert response.status_code == 302
    assert signed_in(mine)
    assert not signed_in(other)
    # The changed session still appears, under its new key, on the list.
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        mine.session.session_key
    ]
    change = events("auth.password_change", user=user).get()
    assert change.postchange_data["sessions_ended"] == 1


def test_page_views_within_a_minute_do_not_write_the_session(user):
    client = browser()
    login(client, "unit1")
    key = client.session.session_key
    stored = Session.objects.get(session_key=key).session_data
    assert signed_in(client) and signed_in(client)
    assert Session.objects.get(session_key=key).session_data == stored
    # A minute on, the activity is noted (and the cookie renewed) once.
    shift(client, TOUCHED_AT, 61)
    stored = Session.objects.get(session_key=key).session_data
    assert signed_in(client)
    assert Session.objects.get(session_key=key).session_data != stored
