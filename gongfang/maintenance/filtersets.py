"""One filterset per model of maintenance (pages, API and exports use the same)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter, scoped_fk_filter
from ..registry.models import Building, Compound
from ..standards.models import VersionKind
from .choices import Stage
from .models import (
    Budget,
    Expense,
    MaintenancePayment,
    MaintenanceProject,
    PlanProposal,
    ProgressReport,
    ServiceContract,
    StageRequirement,
    ThreeYearPlan,
)
from .selectors import over_budget_q, overdue_q


def compound_or_its_buildings() -> django_filters.Filter:
    """A compound filter that finds rows on the compound itself or on one of its buildings."""
    compound = scoped_fk_filter(Compound, "compound", "院落（含楼座）")
    compound.method = "filter_compound"
    return compound


class MaintenanceProjectFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    compound = compound_or_its_buildings()
    building = scoped_fk_filter(Building, "building", "楼座")
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label="阶段")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="逾期未验收")
    over_budget = django_filters.BooleanFilter(method="filter_over_budget", label="超批准金额")
    search_fields = (
        "title__icontains",
        "contractor__icontains",
        "organization__name__icontains",
        "building__name__icontains",
        "building__compound__name__icontains",
        "compound__name__icontains",
    )

    class Meta:
        model = MaintenanceProject
        fields = ["kind", "year", "organization"]

    def filter_compound(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(compound=value) | Q(building__compound=value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_over_budget(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(over_budget_q()) if value else queryset.exclude(over_budget_q())


class ProjectChildFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="project__region", field_name="project__region")
    unit = OrganizationSubtreeFilter(
        lookup="project__organization", field_name="project__organization"
    )
    search_fields = ("project__title__icontains", "note__icontains")


class ProgressReportFilterSet(ProjectChildFilterSet):
    class Meta:
        model = ProgressReport
        fields = ["project"]


class MaintenancePaymentFilterSet(ProjectChildFilterSet):
    paid_after = django_filters.DateFilter(
        field_name="paid_on", lookup_expr="gte", label="付款日期不早于"
    )
    paid_before = django_filters.DateFilter(
        field_name="paid_on", lookup_expr="lte", label="付款日期不晚于"
    )

    class Meta:
        model = MaintenancePayment
        fields = ["project"]


class ThreeYearPlanFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    search_fields = ("title__icontains", "region__name__icontains")

    class Meta:
        model = ThreeYearPlan
        fields = ["state", "start_year"]


class PlanProposalFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="plan__region", field_name="plan__region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    building = scoped_fk_filter(Building, "building", "楼座")
    ranked = django_filters.BooleanFilter(
        field_name="rank", lookup_expr="isnull", exclude=True, label="已列入排序"
    )
    search_fields = (
        "title__icontains",
        "building__name__icontains",
        "organization__name__icontains",
    )

    class Meta:
        model = PlanProposal
        fields = ["plan", "organization", "year", "condition", "kind"]


class ServiceContractFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    compound = scoped_fk_filter(Compound, "compound", "院落")
    building = scoped_fk_filter(Building, "building", "楼座")
    scope = django_filters.CharFilter(method="filter_scope", label="服务内容")
    search_fields = (
        "provider__icontains",
        "compound__name__icontains",
        "building__name__icontains",
    )

    class Meta:
        model = ServiceContract
        fields = ["organization", "price_period"]

    def filter_scope(self, queryset, name, value):
        if not value:
            return queryset
        # JSON "contains" differs between SQLite and PostgreSQL; the quoted code is unambiguous.
        return queryset.filter(scopes__icontains=f'"{value}"')


class BudgetFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    compound = scoped_fk_filter(Compound, "compound", "院落")
    search_fields = (
        "organization__name__icontains",
        "compound__name__icontains",
        "note__icontains",
    )

    class Meta:
        model = Budget
        fields = ["organization", "year", "item"]


class ExpenseFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    compound = scoped_fk_filter(Compound, "compound", "院落")
    spent_after = django_filters.DateFilter(
        field_name="spent_on", lookup_expr="gte", label="支出日期不早于"
    )
    spent_before = django_filters.DateFilter(
        field_name="spent_on", lookup_expr="lte", label="支出日期不晚于"
    )
    search_fields = (
        "organization__name__icontains",
        "compound__name__icontains",
        "note__icontains",
    )

    class Meta:
        model = Expense
        fields = ["organization", "item"]


class StageRequirementFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=VersionKind.choices, label="类别")
    search_fields = ("label__icontains", "source__icontains", "region__name__icontains")

    class Meta:
        model = StageRequirement
        fields = ["kind", "region", "stage", "project_kind", "category"]
