"""Failed API-token authentications (issue 19, point 2): each is an audit event with time,
address, the key's prefix and the reason — never the key — and counts toward the lockout of the
address, which the security administrator sees on 登录锁定."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from ...framework.models import ObjectChange
from ...registry.tests.world import build_world, make_user
from ..lockout import active_lockouts, token_failures, unlock_address
from ..roles import Role
from ..tokens import create_token, revoke_token, shown_prefix
from .conftest import events

pytestmark = [pytest.mark.django_db]

ROOMS = "/api/registry/rooms/"
ADDRESS = "10.30.0.7"


def api(key: str | None = None, address: str = ADDRESS, header: str | None = None) -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    elif key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def bureau():
    world = build_world()
    return make_user("bureau_t", [Role.BUREAU_ADMIN], scope_region=world.a.region)


def test_a_refused_token_is_audited_with_its_prefix_only(bureau):
    token, key = create_token(user=bureau)
    revoke_token(actor=bureau, token=token)
    response = api(key).get(ROOMS)
    assert response.status_code == 401
    event = events("auth.token_failed").get()
    assert event.result == ObjectChange.Result.FAILURE
    assert event.remote_addr == ADDRESS
    assert event.postchange_data == {"prefix": token.prefix, "reason": "revoked", "path": ROOMS}
    assert (event.user_name, event.changed_object_id) == ("bureau_t", token.pk)
    assert token.prefix == key[:10]
    # Nowhere in the trail is the key itself.
    assert not ObjectChange.objects.filter(postchange_data__icontains=key[10:]).exists()
    assert key[10:] not in str(list(ObjectChange.objects.values_list("postchange_data", flat=True)))


def test_reasons(bureau):
    assert api("gf_" + "x" * 40).get(ROOMS).status_code == 401
    assert api(header="Token").get(ROOMS).status_code == 401
    assert api(header="Token a b").get(ROOMS).status_code == 401
    assert api("secret-of-something-else").get(ROOMS).status_code == 401
    reasons = [e.postchange_data["reason"] for e in events("auth.token_failed").order_by("id")]
    assert reasons == ["unknown", "malformed", "malformed", "unknown"]
    prefixes = [e.postchange_data["prefix"] for e in events("auth.token_failed").order_by("id")]
    assert prefixes == ["gf_xxxxxxx", "", "", "sec"]
    assert shown_prefix("secret-of-something-else") == "sec"
    assert {e.user_name for e in events("auth.token_failed")} == {"（未知令牌）"}
    # No header, or another scheme: not a token authentication at all.
    assert api().get(ROOMS).status_code == 401
    assert api(header="Basic abc").get(ROOMS).status_code == 401
    assert events("auth.token_failed").count() == 4


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_address(bureau):
    _, key = create_token(user=bureau)
    for _ in range(2):
        assert api("gf_guess" + "y" * 30).get(ROOMS).status_code == 401
    (row,) = token_failures()
    assert (row.ip_address, row.failures, row.locked) == (ADDRESS, 2, False)
    assert api("gf_guess" + "z" * 30).get(ROOMS).status_code == 401
    assert [lock.value for lock in active_lockouts() if lock.kind == "ip_address"] == [ADDRESS]
    assert token_failures()[0].locked
    # From the locked address not even a good token is taken; from another it is.
    locked = api(key).get(ROOMS)
    assert locked.status_code == 429
    assert "锁定" in locked.json()["detail"]
    assert events("auth.token_failed").order_by("-id")[0].postchange_data["reason"] == "locked"
    assert api(key, address="10.30.0.8").get(ROOMS).status_code == 200
    # A login from the locked address is refused too: one count per address.
    from django.test import Client

    login = Client(REMOTE_ADDR=ADDRESS).post(
        reverse("accounts:login"), {"username": "bureau_t", "password": "whatever"}
    )
    assert login.status_code == 429
    unlock_address(actor=bureau, ip_address=ADDRESS)
    assert api(key).get(ROOMS).status_code == 200
    assert token_failures() == []


@override_settings(AXES_FAILURE_LIMIT=2)
def test_sec_admin_sees_token_failures_on_the_lockout_page(bureau):
    sec = make_user("sec_t", [Role.SEC_ADMIN])
    api("gf_guess" + "q" * 30).get(ROOMS)
    from django.test import Client

    client = Client()
    client.force_login(sec)
    page = client.get(reverse("manage:lockouts")).content.decode()
    assert "接口令牌认证失败" in page
    assert ADDRESS in page and "未达锁定次数" in page
    api("gf_guess" + "q" * 30).get(ROOMS)
    page = client.get(reverse("manage:lockouts")).content.decode()
    assert "已锁定" in page
