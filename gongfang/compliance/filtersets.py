"""The one filterset of warnings: the warning centre, the API and the CSV export use it alike."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from ..framework import clock
from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter, scoped_fk_filter
from ..registry.models import Building, Organization, Person, Room
from .models import ACTIVE_STATES, Mode, Rule, State, Subject, Warning


def overdue_q(today=None) -> Q:
    """Under rectification with its deadline passed."""
    return Q(state=State.RECTIFYING, deadline__lt=today or clock.today())


class WarningFilterSet(BaseFilterSet):
    rule = django_filters.ChoiceFilter(choices=Rule.choices, label="规则")
    state = django_filters.ChoiceFilter(choices=State.choices, label="状态")
    active = django_filters.BooleanFilter(method="filter_active", label="待处理（待整改或整改中）")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="整改逾期")
    subject = django_filters.ChoiceFilter(choices=Subject.choices, label="对象类型")
    mode = django_filters.ChoiceFilter(choices=Mode.choices, label="整改方式")
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    region_only = django_filters.CharFilter(
        field_name="region__code", label="区划代码（仅本级，不含下级）"
    )
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    organization = scoped_fk_filter(Organization, "organization", "单位（仅本单位）")
    room = scoped_fk_filter(Room, "room", "房间")
    person = scoped_fk_filter(Person, "person", "人员")
    building = scoped_fk_filter(Building, "building", "楼座")
    found_after = django_filters.DateFilter(
        field_name="first_found_at", lookup_expr="date__gte", label="发现日期起"
    )
    found_before = django_filters.DateFilter(
        field_name="first_found_at", lookup_expr="date__lte", label="发现日期止"
    )
    search_fields = ("subject_label__icontains", "summary__icontains", "key__iexact")

    class Meta:
        model = Warning
        fields: list[str] = []

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(state__in=ACTIVE_STATES)
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
