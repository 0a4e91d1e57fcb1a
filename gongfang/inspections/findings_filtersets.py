"""One filterset per model of findings, rectification, re-check, urge and referral: the list
pages, the API and the exports use the same (the plan page's charts link into them)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from ..compliance.models import Warning
from ..framework import clock
from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter, scoped_fk_filter
from ..registry.models import Organization
from .choices import FindingState, ItemTarget, RecheckResult, RectificationKind
from .findings import UNFINISHED, overdue_q
from .models import (
    ChecklistItem,
    Finding,
    Inspection,
    InspectionPlan,
    Recheck,
    Rectification,
    Referral,
    Tip,
    Urge,
)

SOURCE_CHOICES = (("inspection", "督查检查"), ("tip", "问题线索"), ("supervision", "监督发现"))


class FindingFilterSet(BaseFilterSet):
    state = django_filters.MultipleChoiceFilter(choices=FindingState.choices, label="状态")
    rectification_kind = django_filters.ChoiceFilter(
        choices=RectificationKind.choices, label="整改方式"
    )
    unfinished = django_filters.BooleanFilter(method="filter_unfinished", label="未销号")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="整改逾期")
    source = django_filters.ChoiceFilter(
        choices=SOURCE_CHOICES, method="filter_source", label="来源"
    )
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    organization = scoped_fk_filter(Organization, "organization", "责任单位（仅本单位）")
    plan = scoped_fk_filter(InspectionPlan, "inspection__plan", "督查计划")
    inspection = scoped_fk_filter(Inspection, "inspection", "督查检查")
    tip = scoped_fk_filter(Tip, "tip", "问题线索")
    warning = scoped_fk_filter(Warning, "warning", "关联预警")
    item = django_filters.ModelChoiceFilter(
        queryset=ChecklistItem.objects.select_related("checklist"), label="检查内容"
    )
    target = django_filters.ChoiceFilter(
        field_name="item__target", choices=ItemTarget.choices, label="督查对象"
    )
    aspect = django_filters.NumberFilter(field_name="item__aspect", label="检查方面序号")
    no_item = django_filters.BooleanFilter(
        field_name="item", lookup_expr="isnull", label="未对应检查内容"
    )
    linked = django_filters.BooleanFilter(
        field_name="warning", lookup_expr="isnull", exclude=True, label="关联预警"
    )
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="发现日期起"
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="发现日期止"
    )
    search_fields = (
        "description__icontains",
        "subject_label__icontains",
        "organization__name__icontains",
    )

    class Meta:
        model = Finding
        fields: list[str] = []

    def filter_unfinished(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(state__in=UNFINISHED)
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = overdue_q(clock.today())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_source(self, queryset, name, value):
        if value == "inspection":
            return queryset.filter(inspection__isnull=False)
        if value == "tip":
            return queryset.filter(tip__isnull=False)
        if value == "supervision":
            return queryset.filter(inspection__isnull=True, tip__isnull=True)
        return queryset


class RectificationFilterSet(BaseFilterSet):
    finding = scoped_fk_filter(Finding, "finding", "督查问题")
    unit = OrganizationSubtreeFilter(lookup="finding__organization", field_name="finding")
    search_fields = ("description__icontains", "finding__description__icontains")

    class Meta:
        model = Rectification
        fields: list[str] = []


class RecheckFilterSet(BaseFilterSet):
    finding = scoped_fk_filter(Finding, "finding", "督查问题")
    result = django_filters.ChoiceFilter(choices=RecheckResult.choices, label="复查结论")
    unit = OrganizationSubtreeFilter(lookup="finding__organization", field_name="finding")
    search_fields = ("note__icontains", "finding__description__icontains")

    class Meta:
        model = Recheck
        fields: list[str] = []


class UrgeFilterSet(BaseFilterSet):
    finding = scoped_fk_filter(Finding, "finding", "督查问题")
    warning = scoped_fk_filter(Warning, "warning", "预警")
    target = django_filters.ChoiceFilter(
        choices=(("finding", "督查问题"), ("warning", "超标预警")),
        method="filter_target",
        label="督办对象",
    )
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    search_fields = ("message__icontains", "organization__name__icontains")

    class Meta:
        model = Urge
        fields: list[str] = []

    def filter_target(self, queryset, name, value):
        if value == "finding":
            return queryset.filter(finding__isnull=False)
        if value == "warning":
            return queryset.filter(warning__isnull=False)
        return queryset


class ReferralFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    finding = scoped_fk_filter(Finding, "findings", "督查问题")
    answered = django_filters.BooleanFilter(
        field_name="outcome_on", lookup_expr="isnull", exclude=True, label="已有处理结果"
    )
    search_fields = ("organization__name__icontains", "outcome__icontains", "recipient__icontains")

    class Meta:
        model = Referral
        fields: list[str] = []
