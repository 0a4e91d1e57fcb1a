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
from rest_framework.authentication import get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from ..framework.changelog import local_time
from ..framework.middleware import client_address
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


# Who a refused token's event names when the key is none of ours.
UNKNOWN_CALLER = "（未知令牌）"


def shown_prefix(key: str) -> str:
    """What of a presented key may be written down: the prefix our tokens show (``gf_`` and
    seven characters, as stored for every token), or only three characters of anything else —
    never enough of a secret to use."""
    return key[: len(KEY_PREFIX) + 7] if key.startswith(KEY_PREFIX) else key[:3]


class TokenFailed(exceptions.AuthenticationFailed):
    """A refused token, with the reason code the audit event records."""

    def __init__(self, detail: str, reason: str, token: ApiToken | None = None):
        super().__init__(detail)
        self.reason = reason
        self.token = token  # the token refused, when the key is one of ours


class AddressLocked(exceptions.APIException):
    """429: the client's address is locked after repeated failures (logins or tokens)."""

    status_code = 429
    default_code = "address_locked"


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` against our tokens: refused when unknown, revoked or
    expired, or when the account is inactive; a read-only token may only read.

    Every refusal is an ``auth.token_failed`` event (address, the key's prefix, the reason —
    never the key) and counts toward the lockout of the client's address, as a failed login
    does (``lockout.record_token_failure``); from a locked address no token is accepted.
    """

    keyword = "Token"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        from .lockout import locked_until, lockout_message

        address = client_address(request)
        until = locked_until(username=None, ip_address=address)
        key = header[1].decode("utf-8", "replace") if len(header) == 2 else ""
        try:
            if until is not None:
                raise TokenFailed(lockout_message(until), "locked")
            if len(header) != 2 or not key:
                raise TokenFailed(
                    "令牌格式错误：请求头应为 Authorization: Token <令牌>。", "malformed"
                )
            user, token = self.authenticate_credentials(key)
        except TokenFailed as exc:
            self._failed(request, address, key, exc.reason, exc.token)
            if exc.reason == "locked":
                raise AddressLocked(str(exc.detail)) from None
            raise
        if token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied("该令牌为只读令牌，不能用于新建、修改或删除。")
        return user, token

    def _failed(
        self, request, address: str | None, key: str, reason: str, token: ApiToken | None
    ) -> None:
        from .lockout import record_token_failure

        prefix = shown_prefix(key)
        with transaction.atomic():
            auth_event(
                "auth.token_failed",
                success=False,
                obj=token,
                data={"prefix": prefix, "reason": reason, "path": request.path[:200]},
                # The account of a revoked or expired token; a key that is none of ours: nobody.
                user_name=token.user.username if token is not None else UNKNOWN_CALLER,
            )
            if reason != "locked":  # a refusal during the lock does not prolong it
                record_token_failure(request, address=address, prefix=prefix)

    def authenticate_credentials(self, key: str):
        token = ApiToken.objects.select_related("user").filter(key_digest=digest(key)).first()
        if token is None:
            raise TokenFailed("令牌无效。", "unknown")
        if token.revoked_at is not None:
            raise TokenFailed("令牌已吊销。", "revoked", token)
        now = timezone.now()
        if token.expires_at <= now:
            raise TokenFailed("令牌已过期，请重新创建。", "expired", token)
        if not token.user.is_active:
            raise TokenFailed("账号已停用。", "inactive", token)
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
