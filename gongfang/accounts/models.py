"""The account: who someone is, which roles they hold, and the subtree they may reach."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

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

    objects = UserManager()

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

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def has_model_perm(self, model: type[models.Model], action: str) -> bool:
        """Whether any of the account's roles allows ``action`` on ``model``."""
        if not self.is_active:
            return False
        key = f"{model._meta.app_label}.{model._meta.model_name}"
        return any(action in role_actions(role, key) for role in self.roles)
