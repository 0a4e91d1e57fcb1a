"""The account: who someone is, which roles they hold, and the subtree they may reach."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin

from ..framework.uniqueness import unique_error_message
from .roles import BUSINESS_ROLES, SEPARATED_ADMIN_ROLES, Role, role_actions


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **fields) -> User:
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    username = models.CharField("账号", max_length=150, unique=True)
    name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    is_active = models.BooleanField("启用", default=True)
    date_joined = models.DateTimeField("创建时间", default=timezone.now)
    roles = models.JSONField("角色", default=list, blank=True)
    scope_region = models.ForeignKey(
        "registry.Region",
        verbose_name="管辖区域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    scope_organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="管辖单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    password_changed_at = models.DateTimeField(
        "密码修改时间", null=True, blank=True, help_text="密码有效期自此起算"
    )
    must_change_password = models.BooleanField(
        "下次登录须修改密码", default=False, help_text="初始密码和重置后的密码须由本人修改"
    )

    objects = UserManager()
    unique_error_message = unique_error_message

    # Never put a password hash into the audit trail.
    changelog_exclude = ("password", "last_login")

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope_region__isnull=True)
                | models.Q(scope_organization__isnull=True),
                name="user_one_scope",
                violation_error_message="一个账号只能管辖一个区域或一个单位，不能同时设置。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.username}）" if self.name else self.username

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        unknown = [r for r in self.roles if r not in Role.values]
        if unknown:
            errors.setdefault("roles", []).append(f"未知角色：{'、'.join(map(str, unknown))}。")
        admin_roles = [r for r in self.roles if r in SEPARATED_ADMIN_ROLES]
        if len(admin_roles) > 1:
            names = "、".join(Role(r).label for r in admin_roles)
            errors.setdefault("roles", []).append(
                f"三员分立：系统、安全、审计管理员不能由同一账号兼任（当前：{names}）。"
            )
        if admin_roles and self.has_business_role:
            business = "、".join(Role(r).label for r in self.roles if r in BUSINESS_ROLES)
            errors.setdefault("roles", []).append(
                f"三员分立：{Role(admin_roles[0]).label}不能兼任业务角色（{business}）。"
            )
        if self.scope_region_id and self.scope_organization_id:
            errors.setdefault("scope_organization", []).append(
                "一个账号只能管辖一个区域或一个单位，不能同时设置。"
            )
        if self.has_business_role and not (self.scope_region_id or self.scope_organization_id):
            errors.setdefault("scope_region", []).append("业务角色必须指定管辖区域或管辖单位。")
        if errors:
            raise ValidationError(errors)

    @property
    def has_business_role(self) -> bool:
        return any(r in BUSINESS_ROLES for r in self.roles)

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in self.roles if r in Role.values]

    @property
    def scope_label(self) -> str:
        if self.scope_region_id:
            return self.scope_region.name
        if self.scope_organization_id:
            return self.scope_organization.name
        return "—"

    @property
    def password_expires_at(self) -> datetime.datetime | None:
        """When the password stops being accepted for work (None: the policy sets no age)."""
        days = settings.PASSWORD_MAX_AGE_DAYS
        if not days:
            return None
        changed = self.password_changed_at or self.date_joined
        return changed + datetime.timedelta(days=days)

    @property
    def password_expired(self) -> bool:
        expires = self.password_expires_at
        return expires is not None and expires <= timezone.now()

    @property
    def second_factor_required(self) -> bool:
        """Whether one of the account's roles requires a second factor (a setting)."""
        required = set(settings.OTP_REQUIRED_ROLES)
        return any(r in required for r in self.roles)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def has_model_perm(self, model: type[models.Model], action: str) -> bool:
        """Whether any of the account's roles allows ``action`` on ``model``."""
        if not self.is_active:
            return False
        key = f"{model._meta.app_label}.{model._meta.model_name}"
        return any(action in role_actions(role, key) for role in self.roles)


class PasswordHistory(models.Model):
    """Hashes of an account's earlier passwords, so a new one is none of the last few."""

    user = models.ForeignKey(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码散列", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user.username} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class PendingPasswordReset(models.Model):
    """A password reset of an administrator account, waiting for a second administrator.

    三员分立 (DESIGN §6): one administrator alone cannot take over another administrator's
    account, so the new password (only its hash) waits here until another administrator confirms
    it; then it is set as any reset is. One pending reset per account.
    """

    user = models.OneToOneField(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="pending_password_reset"
    )
    password = models.CharField("新密码散列", max_length=128)
    requested_by = models.ForeignKey(
        User, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)

    changelog_exclude = ("password",)

    class Meta:
        verbose_name = "待确认的密码重置"
        verbose_name_plural = "待确认的密码重置"

    def __str__(self) -> str:
        return f"{self.user} 的密码重置"


class UserSession(models.Model):
    """A signed-in browser session of an account, so its owner can see and end it.

    The row is written at login; a session whose row is gone has been ended and is signed out.
    """

    user = models.ForeignKey(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="web_sessions"
    )
    session_key = models.CharField("会话标识", max_length=40, unique=True)
    ip_address = models.GenericIPAddressField("登录地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    created_at = models.DateTimeField("登录时间", default=timezone.now)
    last_activity = models.DateTimeField("最近活动", default=timezone.now)

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"
        ordering = ["-last_activity", "-pk"]

    def __str__(self) -> str:
        return f"{self.user.username} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A key for the REST API: read-only or read-write, expiring, revocable.

    Only a SHA-256 digest of the key is stored; the key is shown once, when it is created.
    """

    class Scope(models.TextChoices):
        READ = "read", "只读"
        READ_WRITE = "read_write", "读写"

    user = models.ForeignKey(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=60, blank=True)
    key_digest = models.CharField("令牌摘要", max_length=64, unique=True)
    prefix = models.CharField("令牌前缀", max_length=12)
    scope = models.CharField("权限", max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}".strip()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return "已吊销"
        if self.is_expired:
            return "已过期"
        return "有效"


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """The recovery codes of an account as a django-otp device: each code stored only as a
    salted hash (PBKDF2), usable once, throttled after wrong codes like the static tokens it
    replaces. A session verified by a recovery code names this device."""

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def get_throttle_factor(self) -> int:
        return settings.OTP_STATIC_THROTTLE_FACTOR

    def verify_token(self, token) -> bool:
        from .recovery import matching_code

        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        match = matching_code(self, token)
        if match is None:
            self.throttle_increment()
            return False
        match.delete()
        self.throttle_reset()
        return True


class RecoveryCode(models.Model):
    """One unused recovery code, as a salted hash only (the code is shown once, at creation)."""

    device = models.ForeignKey(
        RecoveryCodeDevice, verbose_name="设备", on_delete=models.CASCADE, related_name="codes"
    )
    code_hash = models.CharField("恢复码哈希", max_length=128)

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def __str__(self) -> str:
        return f"恢复码 #{self.pk}"


# Authentication signals -> audit trail and session list, connected whenever the models load.
from . import receivers  # noqa: E402, F401
