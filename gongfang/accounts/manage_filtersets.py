"""The filterset of accounts, shared by the account list page and the accounts API."""

from __future__ import annotations

from typing import ClassVar

import django_filters
from django.db.models import Q

from ..framework.filtersets import BaseFilterSet
from .models import User
from .roles import Role


class UserFilterSet(BaseFilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role", label="角色")
    scope_kind = django_filters.ChoiceFilter(
        choices=(("region", "管辖区域"), ("organization", "管辖单位"), ("none", "未设置")),
        method="filter_scope_kind",
        label="范围类型",
    )
    scope = django_filters.CharFilter(method="filter_scope", label="管辖范围")
    active = django_filters.ChoiceFilter(
        choices=(("true", "启用"), ("false", "停用")), method="filter_active", label="状态"
    )

    search_fields = ("username__icontains", "name__icontains", "email__icontains")

    class Meta:
        model = User
        fields: ClassVar[list[str]] = []

    def filter_role(self, queryset, name, value):
        # roles is a JSON list; its text holds each code in quotes on SQLite and PostgreSQL.
        return queryset.filter(roles__icontains=f'"{value}"') if value else queryset

    def filter_scope_kind(self, queryset, name, value):
        if value == "region":
            return queryset.filter(scope_region__isnull=False)
        if value == "organization":
            return queryset.filter(scope_organization__isnull=False)
        if value == "none":
            return queryset.filter(scope_region__isnull=True, scope_organization__isnull=True)
        return queryset

    def filter_scope(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(scope_region__name__icontains=value)
            | Q(scope_region__code__startswith=value)
            | Q(scope_organization__name__icontains=value)
        )

    def filter_active(self, queryset, name, value):
        if value in ("true", "false"):
            return queryset.filter(is_active=value == "true")
        return queryset
