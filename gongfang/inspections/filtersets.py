"""One filterset per model of inspections (pages, API and exports use the same)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from ..framework import clock
from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter, scoped_fk_filter
from ..registry.models import Room
from .choices import PlanKind, TipState
from .models import (
    AssessmentDate,
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionPlan,
    ItemCheck,
    Measurement,
    Tip,
)


class ChecklistFilterSet(BaseFilterSet):
    search_fields = ("source__icontains", "note__icontains")

    class Meta:
        model = Checklist
        fields = ["revision"]


class ChecklistItemFilterSet(BaseFilterSet):
    rule = django_filters.CharFilter(method="filter_rule", label="关联规则")
    search_fields = ("title__icontains", "description__icontains")

    class Meta:
        model = ChecklistItem
        fields = ["checklist", "target"]

    def filter_rule(self, queryset, name, value):
        # JSON list membership, the same on SQLite and PostgreSQL: the code quoted in the text.
        code = value.strip().upper()[:3]
        return queryset.filter(rules__icontains=f'"{code}"') if code else queryset


class AssessmentDateFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    search_fields = ("source__icontains", "region__name__icontains")

    class Meta:
        model = AssessmentDate
        fields = ["year"]


class InspectionPlanFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    mine = django_filters.BooleanFilter(method="filter_mine", label="我参加的")
    search_fields = ("title__icontains", "basis__icontains")

    class Meta:
        model = InspectionPlan
        fields = ["kind", "year", "state", "checklist"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        q = Q(team=user)
        return queryset.filter(q).distinct() if value else queryset.exclude(q)


class InspectionFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    mine = django_filters.BooleanFilter(method="filter_mine", label="我参加的")
    kind = django_filters.ChoiceFilter(
        field_name="plan__kind", choices=PlanKind.choices, label="检查类型"
    )
    year = django_filters.NumberFilter(field_name="plan__year", label="年度")
    search_fields = ("organization__name__icontains", "plan__title__icontains")

    class Meta:
        model = Inspection
        fields = ["plan", "organization", "state"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        q = Q(inspectors=user) | Q(plan__team=user)
        ids = queryset.filter(q).values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class ItemCheckFilterSet(BaseFilterSet):
    unit = OrganizationSubtreeFilter(
        lookup="inspection__organization", field_name="inspection__organization"
    )
    search_fields = ("note__icontains", "item__title__icontains")

    class Meta:
        model = ItemCheck
        fields = ["inspection", "item", "result", "item__target"]


class MeasurementFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="inspection__region", field_name="region")
    unit = OrganizationSubtreeFilter(
        lookup="inspection__organization", field_name="inspection__organization"
    )
    room = scoped_fk_filter(Room, "room", "房间")
    search_fields = ("room__number__icontains", "note__icontains")

    class Meta:
        model = Measurement
        fields = ["inspection", "state"]


class TipFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="已逾期")
    assigned_to_me = django_filters.BooleanFilter(
        method="filter_assigned_to_me", label="交我办理的"
    )
    received_after = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label="受理日期不早于"
    )
    received_before = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label="受理日期不晚于"
    )
    search_fields = (
        "content__icontains",
        "organization__name__icontains",
        "subject_label__icontains",
    )

    class Meta:
        model = Tip
        fields = ["source", "state", "organization"]

    def filter_assigned_to_me(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        q = Q(assigned_to=user)
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(deadline__lt=clock.today()) & ~Q(state__in=(TipState.ANSWERED, TipState.CLOSED))
        return queryset.filter(q) if value else queryset.exclude(q)
