"""Lockout (DESIGN §6): 5 failures lock the account name and the address for 30 minutes; the
page says until when, the same for made-up names; the security administrator unlocks."""

from __future__ import annotations

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ..lockout import active_lockouts, locked_until, unlock, unlock_address
from ..roles import Role
from .conftest import ADDRESS, PASSWORD, browser, events, login, make_account

pytestmark = [pytest.mark.real_auth, pytest.mark.django_db]

LOCKED = re.compile(r"登录失败次数过多，账号已锁定，请于 (\d\d:\d\d) 后再试。")


def fail(client, username: str, times: int):
    response = None
    for _ in range(times):
        response = login(client, username, "Wrong#Pass999")
    return response


def message_of(response) -> str:
    match = LOCKED.search(response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(0)


def age_attempts(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=minutes))


def test_four_failures_do_not_lock():
    make_account("unit1", Role.UNIT_ADMIN)
    client = browser()
    response = fail(client, "unit1", 4)
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()
    assert login(client, "unit1").status_code == 302


def test_fifth_failure_locks_the_account_with_the_time():
    make_account("unit1", Role.UNIT_ADMIN)
    client = browser()
    fail(client, "unit1", 4)
    before = timezone.now()
    response = fail(client, "unit1", 1)
    assert response.status_code == 429
    text = message_of(response)
    expected = timezone.localtime(before + datetime.timedelta(minutes=30))
    assert text.endswith(f"请于 {expected:%H:%M} 后再试。") or text.endswith(
        f"请于 {expected + datetime.timedelta(minutes=1):%H:%M} 后再试。"
    )
    # The right password is refused too, from this address and from any other.
    assert login(client, "unit1").status_code == 429
    assert login(browser("10.9.9.9"), "unit1").status_code == 429
    assert "_auth_user_id" not in client.session


def test_lock_lasts_30_minutes():
    make_account("unit1", Role.UNIT_ADMIN)
    client = browser()
    fail(client, "unit1", 5)
    age_attempts(29)
    assert login(client, "unit1").status_code == 429
    age_attempts(31)
    assert login(client, "unit1").status_code == 302


def test_the_address_is_locked_across_account_names():
    for name in ("a1", "a2", "a3"):
        make_account(name, Role.UNIT_ADMIN)
    client = browser("10.7.7.7")
    fail(client, "a1", 2)
    fail(client, "a2", 2)
    response = fail(client, "nobody-at-all", 1)
    assert response.status_code == 429
    # a3 never failed, but its login from this address is refused; from elsewhere it works.
    assert login(browser("10.7.7.7"), "a3").status_code == 429
    assert login(browser("10.8.8.8"), "a3").status_code == 302


def test_no_account_existence_leak():
    make_account("real", Role.UNIT_ADMIN)
    real, ghost = browser("10.0.0.1"), browser("10.0.0.2")
    for attempt in range(1, 6):
        r1 = login(real, "real", "Wrong#Pass999")
        r2 = login(ghost, "ghost", "Wrong#Pass999")
        assert r1.status_code == r2.status_code == (429 if attempt == 5 else 200)
        text1 = r1.content.decode().replace("real", "NAME")
        text2 = r2.content.decode().replace("ghost", "NAME")
        strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
        assert strip.sub("", text1) == strip.sub("", text2)
    assert message_of(r1) == message_of(r2)


def test_limits_are_settings():
    make_account("unit1", Role.UNIT_ADMIN)
    with override_settings(AXES_FAILURE_LIMIT=3):
        assert fail(browser(), "unit1", 3).status_code == 429
    assert locked_until(username="unit1", ip_address=None) is None  # 3 < the default 5


def test_security_admin_unlocks_an_account():
    make_account("unit1", Role.UNIT_ADMIN)
    sec = make_account("sec", Role.SEC_ADMIN)
    client = browser()
    fail(client, "unit1", 5)
    locks = active_lockouts()
    assert {(lock.kind, lock.value) for lock in locks} == {
        ("username", "unit1"),
        ("ip_address", ADDRESS),
    }
    assert locked_until(username="unit1", ip_address=None) is not None
    unlock(actor=sec, username="unit1")
    assert locked_until(username="unit1", ip_address=None) is None
    row = events("auth.unlock").get()
    assert row.user == sec and row.postchange_data["username"] == "unit1"
    assert login(client, "unit1").status_code == 302


def test_security_admin_unlocks_an_address():
    make_account("unit1", Role.UNIT_ADMIN)
    sec = make_account("sec", Role.SEC_ADMIN)
    client = browser()
    for name in ("x1", "x2", "x3", "x4", "x5"):
        fail(client, name, 1)
    assert login(client, "unit1").status_code == 429
    unlock_address(actor=sec, ip_address=ADDRESS)
    assert events("auth.unlock").get().postchange_data["ip_address"] == ADDRESS
    assert login(client, "unit1").status_code == 302


def test_lockout_and_failures_are_audited():
    user = make_account("unit1", Role.UNIT_ADMIN)
    client = browser()
    fail(client, "unit1", 6)
    failures = events("auth.login_failed", user_name="unit1", result="failure")
    assert failures.count() == 6
    assert [r.postchange_data["reason"] for r in failures.order_by("pk")] == ["credentials"] * 5 + [
        "locked"
    ]
    assert all(r.remote_addr == ADDRESS and r.user == user for r in failures)
    lockout = events("auth.lockout").get()
    assert lockout.user == user and lockout.result == "failure"
    assert lockout.postchange_data["until"]
    # A made-up name is recorded by name, without an account.
    fail(browser("10.5.5.5"), "ghost", 1)
    assert events("auth.login_failed", user_name="ghost").get().user is None


def test_successful_login_resets_the_count():
    make_account("unit1", Role.UNIT_ADMIN, password_changed_at=timezone.now())
    client = browser()
    fail(client, "unit1", 4)
    assert login(client, "unit1").status_code == 302
    client.post(reverse("accounts:logout"))
    assert fail(client, "unit1", 4).status_code == 200
    assert login(client, "unit1", PASSWORD).status_code == 302


def test_a_valid_account_cannot_reset_the_count_of_another_name():
    make_account("victim", Role.UNIT_ADMIN)
    make_account("insider", Role.UNIT_ADMIN)
    client = browser()
    fail(client, "victim", 3)
    assert login(client, "insider").status_code == 302
    client.post(reverse("accounts:logout"))
    # Three failures were from this address: two more lock the victim's name everywhere.
    fail(browser("10.0.0.77"), "victim", 2)
    assert login(browser("10.0.0.78"), "victim").status_code == 429
