"""The one filterset per model of the approval engine, shared by pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from ..compliance.models import Warning
from ..framework import clock
from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter, scoped_fk_filter
from ..registry.models import Building, Organization, Room
from .choices import PENDING_STATES, ActorRule, CaseKind, CaseState, TaskState
from .models import Case, Notification, ProcessDefinition, Task


def overdue_q(today=None, prefix: str = "") -> Q:
    """Waiting for an approver with its deadline passed."""
    return Q(
        **{
            f"{prefix}state__in": PENDING_STATES,
            f"{prefix}deadline__lt": today or clock.today(),
        }
    )


class CaseFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices, label="事项类型")
    state = django_filters.ChoiceFilter(choices=CaseState.choices, label="状态")
    pending = django_filters.BooleanFilter(method="filter_pending", label="审批中（待审批人办理）")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="超过办理期限")
    applicant = scoped_fk_filter(Organization, "applicant", "申请单位（仅本单位）")
    unit = OrganizationSubtreeFilter(lookup="applicant", field_name="applicant")
    counterparty = scoped_fk_filter(Organization, "counterparty", "对方单位")
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    # The cases touching an object (its page links here): rooms, buildings, warnings.
    room = scoped_fk_filter(Room, "subjects__room", "涉及房间")
    building = scoped_fk_filter(Building, "subjects__building", "涉及楼座")
    warning = scoped_fk_filter(Warning, "subjects__warning", "涉及预警")
    submitted_after = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label="提交日期起"
    )
    submitted_before = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label="提交日期止"
    )
    search_fields = ("number__icontains", "title__icontains")

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_pending(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(state__in=PENDING_STATES)
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())


class ProcessDefinitionFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices, label="事项类型")
    national = django_filters.BooleanFilter(
        field_name="region", lookup_expr="isnull", label="全国默认流程"
    )
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    is_active = django_filters.BooleanFilter(label="启用（当前修订）")
    search_fields = ("name__icontains", "number_prefix__icontains", "source__icontains")

    class Meta:
        model = ProcessDefinition
        fields: list[str] = []


class TaskFilterSet(BaseFilterSet):
    """The to-do list: an account's tasks (open by default on the page)."""

    state = django_filters.ChoiceFilter(choices=TaskState.choices, label="状态")
    kind = django_filters.ChoiceFilter(
        field_name="case__kind", choices=CaseKind.choices, label="事项类型"
    )
    rule = django_filters.ChoiceFilter(choices=ActorRule.choices, label="办理人")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="超过办理期限")
    search_fields = ("case__number__icontains", "case__title__icontains")

    class Meta:
        model = Task
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(state=TaskState.OPEN, due_on__lt=clock.today())
        return queryset.filter(q) if value else queryset.exclude(q)


class NotificationFilterSet(BaseFilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="未读")
    search_fields = ("message__icontains",)

    class Meta:
        model = Notification
        fields: list[str] = []
