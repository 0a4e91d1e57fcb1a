"""The demo story: load_demo gives the accounts that need one an authenticator, and
``manage.py demo_totp`` tells the current code, so every documented account can still sign in."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ...registry.demo.accounts import DEMO_PASSWORD
from ..models import User
from .conftest import browser, login, reaches_home

pytestmark = [pytest.mark.real_auth, pytest.mark.django_db]


@pytest.fixture
def demo(db):
    call_command("load_demo", profile="small", verbosity=0, stdout=io.StringIO())


def demo_totp(*args) -> str:
    out = io.StringIO()
    call_command("demo_totp", *args, stdout=out)
    return out.getvalue()


def test_demo_accounts_sign_in_with_the_code_demo_totp_prints(demo):
    with_device = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True)
    )
    assert with_device == {
        "zz_bureau",
        "tz_bureau",
        "leader",
        "sys_admin",
        "sec_admin",
        "audit_admin",
        # They sign in the demo's stories (survey batches, statistics reporting).
        "unit_admin",
        "surveyor",
        "jh_unit",
        "jh_bureau",
    }
    assert not User.objects.filter(must_change_password=True).exists()

    output = demo_totp("leader")
    code = re.search(r"当前动态口令：(\d{6})", output)[1]
    assert "otpauth://totp/" in output and "secret=" in output
    client = browser()
    login(client, "leader", DEMO_PASSWORD)
    response = client.post(reverse("accounts:otp_verify"), {"token": code})
    assert response.status_code == 302
    assert reaches_home(client)

    # An optional-role account signs in with its password alone.
    other = browser("10.9.0.1")
    login(other, "supervisor", DEMO_PASSWORD)
    assert reaches_home(other)


def test_a_second_load_keeps_the_authenticator(demo):
    key = TOTPDevice.objects.get(user__username="zz_bureau").key
    call_command("load_demo", profile="small", flush=True, verbosity=0, stdout=io.StringIO())
    assert TOTPDevice.objects.get(user__username="zz_bureau").key == key


def test_demo_totp_draws_a_qr_code_and_refuses_other_accounts(demo):
    assert "█" in demo_totp("zz_bureau", "--qr") or "▀" in demo_totp("zz_bureau", "--qr")
    with pytest.raises(CommandError, match="不是演示账号"):
        demo_totp("someone_real")
    with pytest.raises(CommandError, match="未绑定身份验证器"):
        demo_totp("supervisor")
