"""Reads of account management: accounts, their security state, the security policy, and the
regions and organizations a scope may be set to."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from ..registry.models import Organization, Region
from .models import PendingPasswordReset, User
from .roles import Role

LOOKUP_LIMIT = 20


def accounts() -> QuerySet[User]:
    """Every account (accounts have no scope: the administrators see them all)."""
    return User.objects.select_related("scope_region", "scope_organization").order_by("username")


def locked_until(user: User) -> datetime.datetime | None:
    """When the lock on the account's name ends, if it is locked now."""
    from .lockout import locked_until as until

    return until(username=user.username, ip_address=None)


def pending_reset(user: User) -> PendingPasswordReset | None:
    """The reset of an administrator's password waiting for a second administrator, if any."""
    return PendingPasswordReset.objects.select_related("requested_by").filter(user=user).first()


def has_second_factor(user: User) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))


@dataclass(frozen=True)
class PolicyItem:
    label: str
    value: str
    setting: str


def _minutes(seconds: int) -> str:
    minutes = seconds // 60
    return f"{minutes // 60} 小时" if minutes % 60 == 0 and minutes >= 60 else f"{minutes} 分钟"


def security_policy() -> list[tuple[str, list[PolicyItem]]]:
    """The security settings in force (DESIGN §6), grouped, each with the setting it comes from.

    Read-only: every limit is a setting, changed in the deployment's configuration.
    """

    def get(name: str):
        # No fallback: the page shows only what the settings really hold.
        return getattr(settings, name)

    cooloff_text = _minutes(int(get("AXES_COOLOFF_TIME").total_seconds()))
    max_age = get("PASSWORD_MAX_AGE_DAYS")
    otp_roles = [Role(r).label for r in get("OTP_REQUIRED_ROLES") if r in Role.values]
    return [
        (
            "密码",
            [
                PolicyItem(
                    "最短长度", f"{get('PASSWORD_MIN_LENGTH')} 个字符", "PASSWORD_MIN_LENGTH"
                ),
                PolicyItem(
                    "字符类别",
                    f"大写字母、小写字母、数字、符号中至少 {get('PASSWORD_MIN_CLASSES')} 类",
                    "PASSWORD_MIN_CLASSES",
                ),
                PolicyItem(
                    "不得重复",
                    f"最近 {get('PASSWORD_HISTORY_COUNT')} 次用过的密码",
                    "PASSWORD_HISTORY_COUNT",
                ),
                PolicyItem(
                    "有效期",
                    f"{max_age} 天" if max_age else "不限",
                    "PASSWORD_MAX_AGE_DAYS",
                ),
            ],
        ),
        (
            "登录锁定",
            [
                PolicyItem(
                    "连续失败次数",
                    f"{get('AXES_FAILURE_LIMIT')} 次后锁定",
                    "AXES_FAILURE_LIMIT",
                ),
                PolicyItem("锁定时长", cooloff_text, "AXES_COOLOFF_TIME"),
            ],
        ),
        (
            "会话",
            [
                PolicyItem(
                    "空闲超时",
                    _minutes(get("SESSION_IDLE_TIMEOUT")),
                    "SESSION_IDLE_TIMEOUT",
                ),
                PolicyItem(
                    "最长有效",
                    _minutes(get("SESSION_ABSOLUTE_AGE")),
                    "SESSION_ABSOLUTE_AGE",
                ),
            ],
        ),
        (
            "双因素认证",
            [
                PolicyItem(
                    "必须启用的角色",
                    "、".join(otp_roles) or "无（所有账号可自愿启用）",
                    "OTP_REQUIRED_ROLES",
                )
            ],
        ),
        (
            "接口令牌",
            [
                PolicyItem(
                    "默认有效期",
                    f"{get('API_TOKEN_DEFAULT_DAYS')} 天",
                    "API_TOKEN_DEFAULT_DAYS",
                ),
                PolicyItem("最长有效期", f"{get('API_TOKEN_MAX_DAYS')} 天", "API_TOKEN_MAX_DAYS"),
            ],
        ),
        (
            "审计日志",
            [PolicyItem("最短保留期", f"{get('AUDIT_RETENTION_DAYS')} 天", "AUDIT_RETENTION_DAYS")],
        ),
    ]


def region_label(region: Region) -> str:
    """山东省枣庄市市中区（370402）: names repeat across provinces, so the parents are named."""
    chain = []
    parent = region.parent
    if parent is not None:
        if parent.parent is not None:
            chain.append(parent.parent.name)
        chain.append(parent.name)
    return f"{''.join(chain)}{region.name}（{region.code}）"


def lookup_regions(text: str) -> list[dict]:
    """Regions by name or code, for choosing a scope."""
    text = text.strip()[:50]
    queryset = Region.objects.select_related("parent__parent").order_by("path")
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(code__startswith=text))
    return [{"id": r.pk, "display": region_label(r)} for r in queryset[:LOOKUP_LIMIT]]


def lookup_organizations(text: str) -> list[dict]:
    """Organizations by name, short name or credit code, for choosing a scope."""
    text = text.strip()[:50]
    queryset = Organization.objects.select_related("region").order_by("path")
    if text:
        queryset = queryset.filter(
            Q(name__icontains=text) | Q(short_name__icontains=text) | Q(uscc__startswith=text)
        )
    return [
        {"id": o.pk, "display": f"{o.name}（{o.region.name}）"} for o in queryset[:LOOKUP_LIMIT]
    ]
