"""API tokens: scoped (read / read-write), expiring, revocable, listed on 接口令牌; the exchange
at /api/token/ needs the second factor and is rate limited."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ...registry.tests.world import build_world, make_user
from ..models import ApiToken
from ..roles import Role
from ..testing import ensure_device, totp_code
from ..tokens import create_token, revoke_token
from .conftest import PASSWORD, browser, events, login, make_account

pytestmark = [pytest.mark.django_db]

ROOMS = "/api/registry/rooms/"
TOKEN = "/api/token/"


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def bureau(world):
    return make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=world.a.region)


def api(key: str | None = None) -> APIClient:
    client = APIClient(REMOTE_ADDR="10.20.0.1")
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def room_data(world) -> dict:
    return {
        "floor": world.a.floor.pk,
        "number": "901",
        "category": "office",
        "subtype": "一般工作人员办公室",
        "usable_area": "12.00",
    }


# Scope, expiry, revocation -------------------------------------------------------------------
def test_read_only_token_cannot_write(world, bureau):
    _, key = create_token(user=bureau, scope=ApiToken.Scope.READ)
    client = api(key)
    assert client.get(ROOMS).status_code == 200
    response = client.post(ROOMS, room_data(world), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "该令牌为只读令牌，不能用于新建、修改或删除。"
    room = world.a.room
    assert client.patch(f"{ROOMS}{room.pk}/", {"name": "x"}, format="json").status_code == 403
    assert client.delete(f"{ROOMS}{room.pk}/").status_code == 403


def test_read_write_token_writes_within_the_accounts_rights(world, bureau):
    _, key = create_token(user=bureau, scope=ApiToken.Scope.READ_WRITE)
    response = api(key).post(ROOMS, room_data(world), format="json")
    assert response.status_code == 201, response.content.decode()
    supervisor = make_user("sup", [Role.SUPERVISOR], scope_region=world.a.region)
    _, key = create_token(user=supervisor, scope=ApiToken.Scope.READ_WRITE)
    assert api(key).post(ROOMS, room_data(world), format="json").status_code == 403


def test_expired_token_is_refused(bureau):
    token, key = create_token(user=bureau, days=1)
    assert api(key).get(ROOMS).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = api(key).get(ROOMS)
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌已过期，请重新创建。"


def test_revoked_token_is_refused(bureau):
    token, key = create_token(user=bureau)
    revoke_token(actor=bureau, token=token)
    response = api(key).get(ROOMS)
    assert response.status_code == 401 and response.json()["detail"] == "令牌已吊销。"
    assert events("auth.token_revoke", user=bureau).count() == 1


def test_unknown_token_and_inactive_account_are_refused(bureau):
    assert api("gf_nonsense").get(ROOMS).status_code == 401
    _, key = create_token(user=bureau)
    bureau.is_active = False
    bureau.save(update_fields=["is_active"])
    assert api(key).get(ROOMS).status_code == 401


def test_only_a_digest_is_stored_and_lifetime_is_capped(bureau):
    token, key = create_token(user=bureau, days=10_000)
    assert key not in {token.key_digest, token.prefix} and key.startswith(token.prefix)
    assert (token.expires_at - token.created_at).days == 365
    with override_settings(API_TOKEN_DEFAULT_DAYS=7):
        token, _ = create_token(user=bureau)
    assert (token.expires_at - token.created_at).days == 7
    other = make_user("other", [Role.SUPERVISOR], scope_region=bureau.scope_region)
    with pytest.raises(PermissionError):
        revoke_token(actor=other, token=token)


# The page ------------------------------------------------------------------------------------
@pytest.mark.real_auth
def test_page_creates_lists_and_revokes(db):
    user = make_account("unit1", Role.UNIT_ADMIN)
    client = browser()
    login(client, "unit1")
    page = reverse("accounts:tokens")
    response = client.post(page, {"name": "对接测试", "scope": "read", "days": 30})
    # The key is in the answer itself, never parked in the session (the database keeps it).
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    shown = response.content.decode()
    token = ApiToken.objects.get(user=user)
    key = shown.split('<code class="d-block fs-3 text-break my-2">')[1].split("</code>")[0]
    assert key.startswith(token.prefix) and "对接测试" in shown
    assert "只显示这一次" not in client.get(page).content.decode()  # shown once
    assert api(key).get("/api/").status_code == 200
    assert key not in str([s.get_decoded() for s in Session.objects.all()])

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert "已吊销" in client.get(page).content.decode()
    assert api(key).get("/api/").status_code == 401
    assert events("auth.token_create", user=user).count() == 1
    assert events("auth.token_revoke", user=user).count() == 1

    # Someone else's token cannot be revoked from here.
    other = make_account("unit2", Role.UNIT_ADMIN)
    theirs, _ = create_token(user=other)
    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404


# The exchange --------------------------------------------------------------------------------
@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_exchange_needs_the_second_factor(bureau):
    client = api()
    body = {"username": "bureau_a", "password": "Test@2026pass"}
    response = client.post(TOKEN, body, format="json")
    assert response.status_code == 403 and "绑定身份验证器" in response.json()["detail"]

    device = ensure_device(bureau)
    assert client.post(TOKEN, body, format="json").json() == {
        "otp": ["请填写身份验证器上的动态口令。"]
    }
    assert client.post(TOKEN, {**body, "otp": "000000"}, format="json").json() == {
        "otp": ["动态口令不正确。"]
    }
    assert events("auth.otp_verify", user=bureau, result="failure").count() == 1
    response = client.post(
        TOKEN, {**body, "otp": totp_code(device), "scope": "read_write", "days": 3}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["scope"] == "read_write" and data["status"] == "有效"
    assert api(data["token"]).post(ROOMS, {}, format="json").status_code == 400  # may write


def test_exchange_without_second_factor_for_optional_roles(world):
    user = make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)
    response = api().post(TOKEN, {"username": user.username, "password": "Test@2026pass"})
    assert response.status_code == 200
    assert response.json()["scope"] == "read"


def test_exchange_refused_when_the_password_must_change(world):
    make_user(
        "unit_a", [Role.UNIT_ADMIN], scope_organization=world.a.org, must_change_password=True
    )
    response = api().post(TOKEN, {"username": "unit_a", "password": "Test@2026pass"})
    assert response.status_code == 403 and "修改密码" in response.json()["detail"]


def test_token_api_lists_and_revokes(world):
    user = make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)
    first, first_key = create_token(user=user, name="一")
    create_token(user=user, name="二", scope=ApiToken.Scope.READ_WRITE)
    client = api(first_key)
    listed = client.get(TOKEN).json()
    assert [row["name"] for row in listed] == ["二", "一"]
    assert "key_digest" not in listed[0] and "token" not in listed[0]
    # A read-only token may not revoke (a write); the read-write one may revoke others.
    _, rw_key = create_token(user=user, scope=ApiToken.Scope.READ_WRITE)
    assert api(rw_key).delete(f"{TOKEN}?id={first.pk}").status_code == 204
    assert api(first_key).get(TOKEN).status_code == 401
    assert api(rw_key).delete(TOKEN).status_code == 204  # itself
    assert api(rw_key).get(TOKEN).status_code == 401


def test_exchange_is_rate_limited(world):
    make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)
    client = api()
    statuses = [
        client.post(TOKEN, {"username": f"nobody{i}", "password": "x"}).status_code
        for i in range(12)
    ]
    assert statuses[:4] == [400] * 4
    assert 429 in statuses
    # Another address is not throttled by it.
    other = APIClient(REMOTE_ADDR="10.20.0.2")
    assert other.post(TOKEN, {"username": "unit_a", "password": "Test@2026pass"}).status_code == 200


def test_exchange_counts_towards_lockout(world):
    make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)
    for i in range(5):
        api().post(TOKEN, {"username": "unit_a", "password": f"Wrong#{i}"})
    response = api().post(TOKEN, {"username": "unit_a", "password": "Test@2026pass"})
    assert response.status_code == 429
    assert response.json()["detail"].startswith("登录失败次数过多，账号已锁定，请于 ")


def test_token_requests_skip_the_web_second_factor_step(bureau):
    ensure_device(bureau)
    _, key = create_token(user=bureau)
    # A session that has not verified its second factor does not spoil a token request.
    client = api(key)
    assert client.get(ROOMS).status_code == 200


@pytest.mark.real_auth
def test_unverified_session_gets_no_api(bureau, world):
    ensure_device(bureau)
    client = browser()
    login(client, "bureau_a", "Test@2026pass")
    response = client.get(ROOMS)
    assert response.status_code == 403
    assert "动态口令" in response.json()["detail"]


def test_password_of_the_exchange_is_the_accounts(bureau):
    assert PASSWORD != "Test@2026pass"  # the world's accounts use the world's password
