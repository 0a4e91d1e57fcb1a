"""One filterset per model of vehicles (pages, API and exports use the same)."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Q

from ..framework import clock
from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter, scoped_fk_filter
from ..registry.models import Compound
from ..standards.models import VersionKind
from .choices import HOLDS_QUOTA
from .models import (
    AnnualInspection,
    Driver,
    FuelCard,
    FuelRecord,
    InsurancePolicy,
    RepairRecord,
    RepairShop,
    Vehicle,
    VehicleQuota,
    VehicleStandard,
    VehicleStandardParameter,
    VehicleStandardRow,
)

# How far ahead an inspection, a policy or a licence counts as "due soon".
DUE_SOON_DAYS = 30


class DueFilter(django_filters.ChoiceFilter):
    """已逾期 / 即将到期 (within 30 days) / 未到期 on a date field, for rows not yet done."""

    def __init__(self, *, date_field: str, open_q: Q | None = None, **kwargs):
        self.date_field = date_field
        self.open_q = open_q or Q()
        kwargs.setdefault(
            "choices",
            (("overdue", "已逾期"), ("soon", f"{DUE_SOON_DAYS} 天内到期"), ("later", "未到期")),
        )
        kwargs.setdefault("label", "到期情况")
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        today = clock.today()
        soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
        field = self.date_field
        ranges = {
            "overdue": Q(**{f"{field}__lt": today}),
            "soon": Q(**{f"{field}__gte": today, f"{field}__lte": soon}),
            "later": Q(**{f"{field}__gt": soon}),
        }
        return qs.filter(self.open_q, ranges[value])


def _date_range(
    field: str, noun: str
) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    return (
        django_filters.DateFilter(field_name=field, lookup_expr="gte", label=f"{noun}不早于"),
        django_filters.DateFilter(field_name=field, lookup_expr="lte", label=f"{noun}不晚于"),
    )


class VehicleScopedFilterSet(BaseFilterSet):
    """Filters of the rows that hang on a vehicle: its place, its organization, the vehicle."""

    region = RegionSubtreeFilter(lookup="vehicle__region", field_name="vehicle__region")
    unit = OrganizationSubtreeFilter(
        lookup="vehicle__organization", field_name="vehicle__organization"
    )


class VehicleFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    parking_compound = scoped_fk_filter(Compound, "parking_compound", "定点停放院落")
    in_fleet = django_filters.BooleanFilter(method="filter_in_fleet", label="在册（未处置）")
    bought_year = django_filters.NumberFilter(
        field_name="bought_on__year", label="购置年度", min_value=1950, max_value=2100
    )
    bought_after, bought_before = _date_range("bought_on", "购置日期")
    search_fields = (
        "plate__icontains",
        "vin__icontains",
        "brand__icontains",
        "model_name__icontains",
        "organization__name__icontains",
    )

    class Meta:
        model = Vehicle
        fields = [
            "organization",
            "category",
            "body",
            "energy",
            "new_energy",
            "status",
            "marked",
        ]

    def filter_in_fleet(self, queryset, name, value):
        if value is None:
            return queryset
        held = Q(status__in=HOLDS_QUOTA)
        return queryset.filter(held if value else ~held)


class DriverFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    license_due = DueFilter(date_field="license_expires_on", label="驾驶证到期情况")
    search_fields = ("name__icontains", "organization__name__icontains")

    class Meta:
        model = Driver
        fields = ["organization", "license_class", "active"]


class VehicleQuotaFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="organization__region", field_name="organization__region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    search_fields = ("organization__name__icontains", "approved_by_document__icontains")

    class Meta:
        model = VehicleQuota
        fields = ["organization", "category"]


class VehicleStandardFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=VersionKind.choices, label="类别")
    search_fields = ("name__icontains", "source__icontains", "region__name__icontains")

    class Meta:
        model = VehicleStandard
        fields = ["kind", "region"]


class VehicleStandardRowFilterSet(BaseFilterSet):
    search_fields = ("standard__name__icontains", "clause__icontains")

    class Meta:
        model = VehicleStandardRow
        fields = ["standard", "category", "body_class", "exceptional"]


class VehicleStandardParameterFilterSet(BaseFilterSet):
    search_fields = ("standard__name__icontains", "clause__icontains")

    class Meta:
        model = VehicleStandardParameter
        fields = ["standard", "key"]


class FuelCardFilterSet(VehicleScopedFilterSet):
    search_fields = ("number__icontains", "vehicle__plate__icontains")

    class Meta:
        model = FuelCard
        fields = ["vehicle", "issuer", "active"]


class FuelRecordFilterSet(VehicleScopedFilterSet):
    filled_after, filled_before = _date_range("filled_on", "加油日期")
    search_fields = ("vehicle__plate__icontains", "station__icontains", "card__number__icontains")

    class Meta:
        model = FuelRecord
        fields = ["vehicle", "card"]


class RepairShopFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    search_fields = ("name__icontains", "address__icontains")

    class Meta:
        model = RepairShop
        fields = ["designated"]


class RepairRecordFilterSet(VehicleScopedFilterSet):
    repaired_after, repaired_before = _date_range("repaired_on", "维修日期")
    search_fields = ("vehicle__plate__icontains", "shop__name__icontains", "description__icontains")

    class Meta:
        model = RepairRecord
        fields = ["vehicle", "shop", "kind"]


class InsurancePolicyFilterSet(VehicleScopedFilterSet):
    expiry = DueFilter(date_field="end_on", label="到期情况")
    search_fields = ("vehicle__plate__icontains", "insurer__icontains", "policy_number__icontains")

    class Meta:
        model = InsurancePolicy
        fields = ["vehicle", "kind"]


class AnnualInspectionFilterSet(VehicleScopedFilterSet):
    due = DueFilter(date_field="due_on", open_q=Q(done_on__isnull=True), label="待检情况")
    done = django_filters.BooleanFilter(
        field_name="done_on", lookup_expr="isnull", exclude=True, label="已检验"
    )
    due_after, due_before = _date_range("due_on", "应检日期")
    search_fields = ("vehicle__plate__icontains", "station__icontains")

    class Meta:
        model = AnnualInspection
        fields = ["vehicle", "result"]
