"""The account list's table."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html_join

from ..framework.masking import Where, shown
from ..framework.tables import BaseTable
from .models import User
from .roles import SEPARATED_ADMIN_ROLES, Role


def account_url(record: User) -> str:
    return reverse("manage:user", args=[record.pk])


def role_badges(roles) -> str:
    known = [r for r in roles if r in Role.values]
    if not known:
        return "—"
    return format_html_join(
        " ",
        '<span class="badge {}">{}</span>',
        (
            ("bg-purple-lt" if r in SEPARATED_ADMIN_ROLES else "bg-blue-lt", Role(r).label)
            for r in known
        ),
    )


class UserTable(BaseTable):
    id = tables.Column(verbose_name="编号", linkify=account_url)
    username = tables.Column(verbose_name="账号", linkify=account_url)
    name = tables.Column(verbose_name="姓名")
    roles = tables.Column(verbose_name="角色", orderable=False)
    scope = tables.Column(verbose_name="管辖范围", accessor="scope_label", orderable=False)
    is_active = tables.BooleanColumn(verbose_name="启用", yesno="是,否")
    phone = tables.Column(verbose_name="手机号码", orderable=False)
    email = tables.Column(verbose_name="电子邮箱")
    date_joined = tables.DateTimeColumn(verbose_name="创建时间", format="Y-m-d H:i")
    last_login = tables.DateTimeColumn(verbose_name="最近登录", format="Y-m-d H:i")

    default_columns = ("username", "name", "roles", "scope", "is_active", "last_login")

    class Meta(BaseTable.Meta):
        model = User
        fields = ()
        sequence = (
            "id",
            "username",
            "name",
            "roles",
            "scope",
            "is_active",
            "phone",
            "email",
            "date_joined",
            "last_login",
        )

    def render_roles(self, value):
        return role_badges(value)

    def render_phone(self, record, value):
        # Personal data: masked in the list for every role (framework.masking).
        return shown(self.user, record, "phone", value, Where.LIST)
