"""API tokens: created by a signed-in (and, where required, second-factor verified) account,
read-only or read-write, expiring, revocable; and the DRF authentication that honours that.

Only the SHA-256 digest of a key is stored; the key itself is shown once.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from ..framework.changelog import local_time
from .audit import auth_event
from .models import ApiToken, User

KEY_PREFIX = "gf_"
# Write last_used_at at most this often: an API client should not write a row per request.
LAST_USED_INTERVAL = datetime.timedelta(minutes=1)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def valid_days(days: int | None) -> int:
    """The lifetime asked for, within the setting's maximum (the default when not given)."""
    if days is None:
        return settings.API_TOKEN_DEFAULT_DAYS
    return max(1, min(int(days), settings.API_TOKEN_MAX_DAYS))


def create_token(
    *, user: User, name: str = "", scope: str = ApiToken.Scope.READ, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its key (never stored, shown once)."""
    if scope not in ApiToken.Scope.values:
        raise ValueError(scope)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    days = valid_days(days)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:60],
            key_digest=digest(key),
            prefix=key[:10],
            scope=scope,
            created_at=now,
            expires_at=now + datetime.timedelta(days=days),
        )
        auth_event(
            "auth.token_create",
            actor=user,
            obj=token,
            data={"scope": scope, "days": days, "expires_at": local_time(token.expires_at)},
        )
    return token, key


def revoke_token(*, actor: User, token: ApiToken) -> None:
    """Revoke one of the actor's own tokens (refused for anyone else's)."""
    if token.user_id != actor.pk:
        raise PermissionError("只能吊销本人的接口令牌。")
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            auth_event("auth.token_revoke", actor=actor, obj=token, data={"scope": token.scope})
    token.refresh_from_db()


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` against our tokens: refused when unknown, revoked or
    expired, or when the account is inactive; a read-only token may only read."""

    keyword = "Token"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied("该令牌为只读令牌，不能用于新建、修改或删除。")
        return user, token

    def authenticate_credentials(self, key: str):
        token = ApiToken.objects.select_related("user").filter(key_digest=digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效。")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("令牌已吊销。")
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("令牌已过期，请重新创建。")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("账号已停用。")
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_INTERVAL:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class TokenScheme(OpenApiAuthenticationExtension):
    """Our token authentication in the OpenAPI description, in Chinese."""

    target_class = "gongfang.accounts.tokens.TokenAuthentication"
    name = "tokenAuth"
    priority = 2

    def get_security_definition(self, auto_schema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "令牌认证：请求头写作 Authorization: Token <令牌>。令牌在“接口令牌”页面创建，"
                "或向 /api/token/ 提交账号、密码（及动态口令）换取；分只读、读写两种，"
                "到期或吊销后失效。"
            ),
        }
