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
    "auth.token_failed": "接口令牌认证失败",
    "auth.expired_cleanup": "清理过期会话与令牌",
}


# How the audit page names the keys and codes of these events' data (framework.eventdata).
EVENT_DATA_KEYS: dict[str, str] = {
    "roles": "角色",
    "method": "方式",
    "purpose": "用途",
    "by_admin": "由管理员设置",
    "sessions_ended": "结束的会话数",
    "session": "会话编号",
    "ip_address": "地址",
    "login_at": "登录时间",
    "others": "其他会话",
    "count": "数量",
    "scope": "权限",
    "days": "有效天数",
    "expires_at": "到期时间",
    "sessions": "会话数",
    "tokens": "令牌数",
    "username": "账号",
    "attempts_cleared": "清除的失败次数",
    "recovery_codes": "恢复码个数",
    "requested_by": "申请人",
    "requested_at": "申请时间",
    "region": "区域",
    "organization": "单位",
    "id": "编号",
    "name": "名称",
    "prefix": "令牌前缀",
    "path": "请求路径",
}
METHODS = {"password": "密码", "totp": "动态口令", "recovery": "恢复码"}
REASONS = {
    "user": "本人退出",
    "idle": "长时间未操作",
    "absolute": "登录时间过长",
    "ended": "会话被结束",
    "locked": "账号已锁定",
    "credentials": "账号或密码错误",
    "wrong_code": "动态口令错误",
    "unknown": "令牌无效",
    "revoked": "令牌已吊销",
    "expired": "令牌已过期",
    "inactive": "账号已停用",
    "malformed": "令牌格式错误",
}


def event_data_values() -> dict[str, dict[str, dict[str, str]]]:
    """event -> key -> code -> label for the authentication and account events."""
    from .models import ApiToken
    from .roles import Role

    roles = dict(Role.choices)
    scopes = dict(ApiToken.Scope.choices)
    values: dict[str, dict[str, dict[str, str]]] = {
        event: {"method": METHODS, "reason": REASONS} for event in AUTH_EVENTS
    }
    values["auth.token_failed"]["reason"] = {**REASONS, "locked": "来源地址已锁定"}
    values["auth.otp_verify"]["purpose"] = {"api_token": "申请接口令牌", "login": "登录"}
    for event in ("auth.token_create", "auth.token_revoke"):
        values[event]["scope"] = scopes
    values["account.roles"] = {key: roles for key in ("before", "after", "added", "removed")}
    values["account.password_reset_request"] = {"roles": roles}
    return values


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
