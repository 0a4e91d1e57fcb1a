"""Recovery codes are stored only as salted hashes (issue 19, point 1): nothing in the database
— no table, no session — holds a code that would pass the second factor; plain codes from
before are migrated to hashes."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from .. import recovery
from ..models import RecoveryCode, RecoveryCodeDevice
from .conftest import browser, login
from .test_auth_otp import enroll

pytestmark = [pytest.mark.real_auth, pytest.mark.django_db]

NO_THROTTLE = override_settings(OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0)


def _database_text() -> str:
    """Every value of every table, and every session decoded, as one lower-case text."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts += [repr(row) for row in cursor.fetchall()]
    parts += [repr(session.get_decoded()) for session in Session.objects.all()]
    return "\n".join(parts).lower()


@NO_THROTTLE
def test_the_database_holds_no_usable_code(leader):
    client = browser()
    login(client, "leader1")
    codes = enroll(client, leader)
    regenerated = client.post(reverse("accounts:otp_codes"))
    assert regenerated.status_code == 200
    codes += recovery_codes(regenerated)
    assert len(codes) == 20
    text = _database_text()
    for code in codes:
        assert recovery.normalize(code) not in text
        assert code not in text
    # What is stored is a salted hash per code: no two alike, none of them a code.
    hashes = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(hashes) == 10 and len(set(hashes)) == 10
    assert all(h.startswith("pbkdf2_sha256$60000$") for h in hashes)
    device = RecoveryCodeDevice.objects.get(user=leader)
    for stored in hashes:
        assert not device.verify_token(stored)
        assert not device.verify_token(stored.split("$")[-1])


def recovery_codes(response) -> list[str]:
    from .test_auth_otp import CODE

    return CODE.findall(response.content.decode())


@NO_THROTTLE
def test_a_code_is_used_up(leader):
    client = browser()
    login(client, "leader1")
    codes = enroll(client, leader)
    device = RecoveryCodeDevice.objects.get(user=leader)
    assert device.verify_token(codes[3])
    assert not device.verify_token(codes[3])
    assert RecoveryCode.objects.filter(device=device).count() == 9


def test_wrong_codes_are_throttled(leader):
    client = browser()
    login(client, "leader1")
    codes = enroll(client, leader)
    device = RecoveryCodeDevice.objects.get(user=leader)
    assert not device.verify_token("aaaaa-aaaaa")
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert not device.verify_token(codes[0])  # right, but too soon after a wrong one
    assert RecoveryCode.objects.filter(device=device).count() == 10


def test_plain_static_tokens_are_migrated_to_hashes(leader):
    static = StaticDevice.objects.create(user=leader, name="恢复码", confirmed=True)
    StaticToken.objects.bulk_create(
        StaticToken(device=static, token=token) for token in ("abcdefgh", "ijklmnop")
    )
    migration = importlib.import_module("gongfang.accounts.migrations.0004_recovery_codes_hashed")
    migration.hash_static_tokens(django_apps, None)
    assert not StaticToken.objects.exists() and not StaticDevice.objects.exists()
    device = RecoveryCodeDevice.objects.get(user=leader)
    assert "abcdefgh" not in _database_text()
    with NO_THROTTLE:
        assert device.verify_token("ABCD-EFGH")
        assert not device.verify_token("abcdefgh")
        assert device.verify_token("ijklmnop")
