"""One filterset per model of the data review (pages, API and the findings' export use the same)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter, scoped_fk_filter
from ..registry.models import Organization
from .models import (
    UNRECTIFIED,
    Assignment,
    Finding,
    FindingState,
    RequiredField,
    Review,
    ReviewState,
    Severity,
    Source,
    Subject,
)


class RequiredFieldFilterSet(BaseFilterSet):
    model = django_filters.ChoiceFilter(choices=Subject.choices, label="对象类型")
    search_fields = ("label__icontains", "field__icontains", "source__icontains")

    class Meta:
        model = RequiredField
        fields = ["version"]


class ReviewFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    state = django_filters.ChoiceFilter(choices=ReviewState.choices, label="状态")
    search_fields = ("name__icontains",)

    class Meta:
        model = Review
        fields: list[str] = []


class AssignmentFilterSet(BaseFilterSet):
    review = scoped_fk_filter(Review, "review", "数据会审")
    reviewed_organization = scoped_fk_filter(Organization, "reviewed_organization", "被审单位")
    reviewer_organization = scoped_fk_filter(Organization, "reviewer_organization", "审核单位")
    search_fields = (
        "reviewed_organization__name__icontains",
        "reviewer_organization__name__icontains",
    )

    class Meta:
        model = Assignment
        fields: list[str] = []


class FindingFilterSet(BaseFilterSet):
    review = scoped_fk_filter(Review, "review", "数据会审")
    state = django_filters.ChoiceFilter(choices=FindingState.choices, label="状态")
    unrectified = django_filters.BooleanFilter(method="filter_unrectified", label="未整改")
    source = django_filters.ChoiceFilter(choices=Source.choices, label="来源")
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label="严重程度")
    subject = django_filters.ChoiceFilter(choices=Subject.choices, label="对象类型")
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    organization = scoped_fk_filter(Organization, "organization", "责任单位（仅本单位）")
    cross = django_filters.BooleanFilter(
        field_name="assignment", lookup_expr="isnull", exclude=True, label="交叉互审发现"
    )
    search_fields = ("subject_label__icontains", "problem__icontains", "field_label__icontains")

    class Meta:
        model = Finding
        fields: list[str] = []

    def filter_unrectified(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(state__in=UNRECTIFIED)
        return queryset.filter(q) if value else queryset.exclude(q)
