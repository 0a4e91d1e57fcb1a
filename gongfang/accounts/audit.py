"""Authentication events in the one audit trail (``framework.changelog.record_event``).

Every login, logout, failure, lockout, password change, second-factor step, session end and API
token change is one event row with time, account, address (from the request context), action,
object and result.
"""

from __future__ import annotations

from ..framework.changelog import record_event
from ..framework.models import ObjectChange

# event name -> what a reader of the audit trail sees
AUTH_EVENTS: dict[str, str] = {
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.lockout": "账号锁定",
    "auth.unlock": "解除锁定",
    "auth.logout": "退出登录",
    "auth.password_change": "修改密码",
    "auth.password_reset": "重置密码",
    "auth.otp_enroll": "绑定双因素认证",
    "auth.otp_verify": "双因素认证",
    "auth.otp_recovery_used": "使用恢复码",
    "auth.otp_recovery_regenerate": "重新生成恢复码",
    "auth.otp_disable": "解除双因素认证",
    "auth.session_end": "结束会话",
    "auth.token_create": "创建接口令牌",
    "auth.token_revoke": "吊销接口令牌",
    "auth.expired_cleanup": "清理过期会话与令牌",
}


def auth_event(
    event: str,
    *,
    actor=None,
    obj=None,
    success: bool = True,
    data: dict | None = None,
    user_name: str = "",
) -> ObjectChange:
    """Record one authentication event; ``obj`` defaults to the acting account."""
    assert event in AUTH_EVENTS, event
    if obj is None and getattr(actor, "pk", None):
        obj = actor
    return record_event(
        actor=actor,
        event=event,
        obj=obj,
        result=ObjectChange.Result.SUCCESS if success else ObjectChange.Result.FAILURE,
        data=data,
        user_name=(user_name or getattr(actor, "username", "") or "")[:150],
    )
