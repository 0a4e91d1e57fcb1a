"""The caller's own account through the API (issue 19, point 4): sessions listed and ended,
the password changed under the policy and history (the other sessions end), the second factor's
status — with the pages' audit events, in the OpenAPI description."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from rest_framework.test import APIClient

from ..models import ApiToken, User, UserSession
from ..roles import Role
from ..testing import ensure_device
from ..tokens import create_token
from .conftest import PASSWORD, browser, events, login, make_account

pytestmark = [pytest.mark.real_auth, pytest.mark.django_db]

ME = "/api/accounts/me/"
NEW_PASSWORD = "Newer#Pass2027"


def token_client(user: User, scope: str = ApiToken.Scope.READ_WRITE) -> APIClient:
    _, key = create_token(user=user, scope=scope)
    client = APIClient(REMOTE_ADDR="10.40.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def unit(db) -> User:
    return make_account("unit_me", Role.UNIT_ADMIN)


def two_browsers() -> tuple:
    first, second = browser("10.1.0.1"), browser("10.1.0.2")
    login(first, "unit_me")
    login(second, "unit_me")
    return first, second


def test_sessions_are_listed_and_ended(unit):
    first, second = two_browsers()
    api = token_client(unit)
    rows = api.get(ME + "sessions/").json()
    assert {row["ip_address"] for row in rows} == {"10.1.0.1", "10.1.0.2"}
    assert not any(row["current"] for row in rows)  # a token has no browser session
    target = UserSession.objects.get(ip_address="10.1.0.2")
    assert api.delete(f"{ME}sessions/{target.pk}/").status_code == 204
    assert not UserSession.objects.filter(pk=target.pk).exists()
    assert not Session.objects.filter(session_key=target.session_key).exists()
    assert second.get(reverse("home")).status_code == 302  # signed out
    assert first.get(reverse("home")).status_code == 200
    ended = events("auth.session_end", user=unit).get()
    assert ended.postchange_data["session"] == target.pk
    assert api.delete(f"{ME}sessions/{target.pk}/").status_code == 404


def test_the_session_of_the_request_is_marked_and_not_ended_here(unit):
    first, _ = two_browsers()
    rows = first.get(ME + "sessions/").json()
    current = [row for row in rows if row["current"]]
    assert len(current) == 1 and current[0]["ip_address"] == "10.1.0.1"
    response = first.delete(f"{ME}sessions/{current[0]['id']}/")
    assert response.status_code == 400 and "退出登录" in response.json()["detail"]
    assert first.post(ME + "sessions/end-others/").json() == {"sessions_ended": 1}
    assert UserSession.objects.filter(user=unit).count() == 1
    assert events("auth.session_end", user=unit).get().postchange_data == {
        "others": True,
        "count": 1,
    }


def test_someone_elses_session_is_not_found(unit):
    two_browsers()
    other = make_account("unit_other", Role.UNIT_ADMIN)
    api = token_client(other)
    assert api.get(ME + "sessions/").json() == []
    row = UserSession.objects.filter(user=unit).first()
    assert api.delete(f"{ME}sessions/{row.pk}/").status_code == 404
    assert UserSession.objects.filter(pk=row.pk).exists()


def test_password_change_follows_the_policy_and_ends_the_sessions(unit):
    first, second = two_browsers()
    api = token_client(unit)
    assert second.get(reverse("home")).status_code == 200
    wrong = api.post(ME + "password/", {"old_password": "nope", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.json()["old_password"][0]
    weak = api.post(ME + "password/", {"old_password": PASSWORD, "new_password": "abc"})
    assert weak.status_code == 400 and weak.json()["new_password"]
    same = api.post(ME + "password/", {"old_password": PASSWORD, "new_password": PASSWORD})
    assert same.status_code == 400  # the history: not the password in use
    assert not events("auth.password_change", user=unit).exists()

    done = api.post(ME + "password/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert done.status_code == 200, done.json()
    assert done.json() == {"sessions_ended": 2}
    unit.refresh_from_db()
    assert unit.check_password(NEW_PASSWORD)
    assert not UserSession.objects.filter(user=unit).exists()
    assert first.get(reverse("home")).status_code == 302
    event = events("auth.password_change", user=unit).get()
    assert event.postchange_data == {"by_admin": False, "sessions_ended": 2}
    # The token stays valid (it was made with the account's second factor, if any).
    assert api.get(ME + "second-factor/").status_code == 200
    back = api.post(ME + "password/", {"old_password": NEW_PASSWORD, "new_password": PASSWORD})
    assert back.status_code == 400  # used before


def test_password_change_from_a_browser_keeps_that_session(unit):
    first, second = two_browsers()
    client = APIClient(REMOTE_ADDR="10.1.0.1")
    client.cookies = first.cookies
    response = client.post(
        ME + "password/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.json() == {"sessions_ended": 1}
    client.cookies.update(response.cookies)
    assert client.get(ME + "sessions/").status_code == 200
    assert second.get(reverse("home")).status_code == 302


def test_a_read_only_token_only_reads(unit):
    api = token_client(unit, ApiToken.Scope.READ)
    assert api.get(ME + "sessions/").status_code == 200
    response = api.post(ME + "password/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 403
    assert api.post(ME + "sessions/end-others/").status_code == 403


def test_second_factor_status(unit):
    api = token_client(unit)
    assert api.get(ME + "second-factor/").json() == {
        "enabled": False,
        "required": False,
        "recovery_codes_left": 0,
    }
    leader = make_account("leader_me", Role.LEADER)
    ensure_device(leader)
    status = token_client(leader).get(ME + "second-factor/").json()
    assert status == {"enabled": True, "required": True, "recovery_codes_left": 0}
    assert APIClient().get(ME + "second-factor/").status_code == 401


def test_in_the_openapi_description(unit):
    api = token_client(unit)
    paths = api.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert set(paths["/api/accounts/me/sessions/"]) >= {"get"}
    assert set(paths["/api/accounts/me/sessions/{id}/"]) >= {"delete"}
    assert set(paths["/api/accounts/me/password/"]) >= {"post"}
    assert set(paths["/api/accounts/me/second-factor/"]) >= {"get"}
    assert paths["/api/accounts/me/password/"]["post"]["summary"] == "修改本人密码"
