"""The accounts' periodic job: expired sessions and API tokens removed (registered in
``AccountsConfig.ready``)."""

from __future__ import annotations

import datetime

from django.db import transaction

from ..framework import clock
from ..framework.jobs import Job, register_job
from .audit import auth_event
from .models import ApiToken
from .sessions import end_expired


def remove_expired() -> str:
    """Sessions past their idle or absolute lifetime and API tokens past their expiry; one
    audit event with the counts when anything went."""
    now = clock.now()
    with transaction.atomic():
        sessions = end_expired(now)
        tokens, _ = ApiToken.objects.filter(expires_at__lte=now).delete()
        if sessions or tokens:
            auth_event(
                "auth.expired_cleanup",
                user_name="system",
                data={"sessions": sessions, "tokens": tokens},
            )
    return f"已清理过期登录会话 {sessions} 个、过期接口令牌 {tokens} 个。"


def register() -> None:
    register_job(
        Job(
            key="accounts.remove_expired",
            name="清理过期会话与接口令牌",
            description="删除超过空闲时限或绝对时限的登录会话，以及已过期的接口令牌。",
            run=remove_expired,
            interval=datetime.timedelta(hours=1),
        )
    )
