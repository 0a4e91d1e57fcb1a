"""Security audit (DESIGN §6): every authentication event is a row of the one audit trail with
time, account, address, action, object and result. (Each feature's tests check its own events;
this one follows one account through a whole day.)"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ...framework.models import ObjectChange
from ..audit import AUTH_EVENTS
from ..models import User
from ..roles import Role
from ..testing import totp_code
from .conftest import PASSWORD, browser, login, make_account

pytestmark = [pytest.mark.real_auth, pytest.mark.django_db]


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_a_day_of_authentication_events_in_the_audit_trail():
    user = make_account("leader1", Role.LEADER)
    client = browser("10.11.12.13")
    login(client, "leader1", "Wrong#Pass1")
    login(client, "leader1")
    client.get(reverse("accounts:otp_enroll"))
    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("accounts:otp_enroll"), {"token": totp_code(device)})
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "New#Pass2026a",
            "new_password2": "New#Pass2026a",
        },
    )
    client.post(reverse("accounts:tokens"), {"name": "x", "scope": "read", "days": 5})
    client.post(reverse("accounts:logout"))

    rows = ObjectChange.objects.filter(action=ObjectChange.Action.EVENT).order_by("pk")
    assert [(r.event, r.result) for r in rows] == [
        ("auth.login_failed", "failure"),
        ("auth.login", "success"),
        ("auth.otp_enroll", "success"),
        ("auth.password_change", "success"),
        ("auth.token_create", "success"),
        ("auth.logout", "success"),
    ]
    user_type = ContentType.objects.get_for_model(User)
    for row in rows:
        assert row.time is not None  # time
        assert row.user == user and row.user_name == "leader1"  # account
        assert row.remote_addr == "10.11.12.13"  # address
        assert row.event in AUTH_EVENTS  # action, with its Chinese name
        assert row.request_id is not None
    # object: the account itself, or the token created
    assert {r.changed_object_type_id for r in rows if r.event != "auth.token_create"} == {
        user_type.pk
    }
    assert rows.get(event="auth.token_create").object_repr.startswith("gf_")


def test_every_event_has_a_chinese_name():
    for name, label in AUTH_EVENTS.items():
        assert name.startswith("auth.")
        assert all("\u4e00" <= ch <= "\u9fff" for ch in label)
