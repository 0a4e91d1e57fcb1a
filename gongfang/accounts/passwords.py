"""Setting a password under the policy of DESIGN §6: strength, history, age, forced change."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from .audit import auth_event
from .models import PasswordHistory, User
from .sessions import end_other_sessions


def password_change_reason(user: User) -> str | None:
    """Why the account must change its password before working on, or None."""
    if user.must_change_password:
        return "初始密码或重置后的密码须由本人修改后才能继续使用系统。"
    if user.password_expired:
        return f"密码已超过 {settings.PASSWORD_MAX_AGE_DAYS} 天未修改，请修改后继续使用系统。"
    return None


def set_password(
    *,
    user: User,
    raw_password: str,
    by_admin: bool,
    actor: User | None = None,
    keep_session_key: str | None = None,
) -> int:
    """Give ``user`` a new password, checked against the policy and the account's history.

    ``by_admin``: an administrator set an initial or reset password, which its owner must change
    at the next login, and every session of the account ends. Otherwise the owner changed it and
    the account's other sessions end (``keep_session_key`` is the one they are using). ``actor``
    is who did it (the owner by default). Raises ``ValidationError`` with Chinese messages.
    Returns how many sessions ended.
    """
    validate_password(raw_password, user)
    return set_password_hash(
        user=user,
        hashed=make_password(raw_password),
        by_admin=by_admin,
        actor=actor,
        keep_session_key=keep_session_key,
    )


def set_password_hash(
    *,
    user: User,
    hashed: str,
    by_admin: bool,
    actor: User | None = None,
    keep_session_key: str | None = None,
    data: dict | None = None,
) -> int:
    """Set a password already checked against the policy and hashed (a reset of an
    administrator's account waits hashed for its confirmation); ``data`` goes into the event."""
    with transaction.atomic():
        if user.password and user.has_usable_password():
            PasswordHistory.objects.create(user=user, password=user.password)
        keep = max(settings.PASSWORD_HISTORY_COUNT, 1)
        stale = user.password_history.order_by("-created_at", "-pk").values_list("pk", flat=True)[
            keep:
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

        user.password = hashed
        user.password_changed_at = timezone.now()
        user.must_change_password = by_admin
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])

        ended = end_other_sessions(
            user=user, keep_session_key=None if by_admin else keep_session_key
        )
        auth_event(
            "auth.password_reset" if by_admin else "auth.password_change",
            actor=actor or (None if by_admin else user),
            obj=user,
            data={"by_admin": by_admin, "sessions_ended": ended, **(data or {})},
        )
    return ended
