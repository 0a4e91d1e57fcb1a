"""Pages of the vehicle registry, standards and running costs, and the overview with its charts.

Every model uses the generic pages (list with its filterset, object page, edit, delete); the
vehicle's page adds its costs, inspections, insurance, quota and dispatch history, the quota's
its use, a standard's its rows. The overview (``/vehicles/``), the new-energy share and the cost
pages summarise the fleet in the account's scope; each chart opens the list it summarises.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render
from django.views import View

from ..framework import clock
from ..framework.views import (
    ObjectDeleteView,
    ObjectEditView,
    ObjectListView,
    ObjectView,
    generic_views,
)
from . import exports, filtersets, forms, selectors, tables
from .choices import HOLDS_QUOTA
from .models import (
    AnnualInspection,
    Dispatch,
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
from .standards import check_quota, check_renewal, standard_for

PANEL_ROWS = 10


# Vehicles ---------------------------------------------------------------------------------------
class VehicleListView(ObjectListView):
    queryset = Vehicle.objects.select_related("organization", "region")
    filterset = filtersets.VehicleFilterSet
    table = tables.VehicleTable
    filter_order = (
        "region",
        "unit",
        "organization",
        "category",
        "body",
        "energy",
        "new_energy",
        "status",
        "in_fleet",
        "bought_year",
    )


class VehicleView(ObjectView):
    queryset = Vehicle.objects.select_related("organization", "region", "parking_compound")
    template_name = "vehicles/vehicle.html"
    # The register's fields as the export lists them, but the region (the unit's, derived).
    attributes = tuple(f for f in exports.VEHICLE_FIELDS if f != "region")

    def get_extra_context(self, obj: Vehicle) -> dict[str, Any]:
        user = self.request.user
        today = clock.today()
        month_start, month_end = selectors.default_period()
        year_start = datetime.date(today.year, 1, 1)

        def recent(model, order: str):
            if not user.has_model_perm(model, "view"):
                return None
            return list(model.objects.restrict(user, "view").filter(vehicle=obj).order_by(order))[
                :PANEL_ROWS
            ]

        dispatches = None
        if user.has_model_perm(Dispatch, "view"):
            dispatches = list(
                Dispatch.objects.restrict(user, "view")
                .filter(vehicle=obj)
                .select_related("driver")
                .order_by("-start_at")[:PANEL_ROWS]
            )
        return {
            "costs_month": selectors.costs_of_vehicle(obj, month_start, month_end),
            "costs_year": selectors.costs_of_vehicle(obj, year_start, today),
            "month_start": month_start,
            "year_start": year_start,
            "inspections": recent(AnnualInspection, "-due_on"),
            "policies": recent(InsurancePolicy, "-end_on"),
            "fuel_records": recent(FuelRecord, "-filled_on"),
            "repairs": recent(RepairRecord, "-repaired_on"),
            "dispatches": dispatches,
            "verdict_lines": [
                *check_quota(organization=obj.organization, category=obj.category, adding=0).lines,
                *check_renewal(vehicle=obj).lines,
            ],
            "today": today,
        }


class VehicleEditView(ObjectEditView):
    queryset = Vehicle.objects.all()
    form = forms.VehicleForm


class VehicleDeleteView(ObjectDeleteView):
    queryset = Vehicle.objects.all()


VEHICLE_JOIN = ("vehicle__organization",)


# Drivers ------------------------------------------------------------------------------------------
DriverViews = generic_views(
    Driver,
    filtersets.DriverFilterSet,
    tables.DriverTable,
    forms.DriverForm,
    related=("organization",),
    filter_order=("region", "unit", "organization", "license_class", "license_due", "active"),
)


# Quotas -------------------------------------------------------------------------------------------
class VehicleQuotaListView(ObjectListView):
    queryset = VehicleQuota.objects.select_related("organization")
    filterset = filtersets.VehicleQuotaFilterSet
    table = tables.VehicleQuotaTable
    filter_order = ("region", "unit", "organization", "category")

    def restricted(self, action: str | None = None):
        return selectors.quotas_with_use(super().restricted(action))

    def get_extra_context(self) -> dict[str, Any]:
        # Quotas are set by a bureau (services.VehicleQuotaService): no "新增" for a unit.
        if not self.request.user.scope_region_id:
            return {"add_url": "", "can_add": False}
        return {}


class VehicleQuotaView(ObjectView):
    queryset = VehicleQuota.objects.select_related("organization")
    template_name = "vehicles/vehiclequota.html"
    attributes = ("organization", "category", "count", "approved_by_document", "note")

    def get_extra_context(self, obj: VehicleQuota) -> dict[str, Any]:
        line = check_quota(organization=obj.organization, category=obj.category, adding=0)
        held = Vehicle.objects.restrict(self.request.user, "view").filter(
            organization=obj.organization, category=obj.category, status__in=HOLDS_QUOTA
        )
        return {"quota_line": line.lines[0], "held": held.order_by("plate")[:50]}


class VehicleQuotaEditView(ObjectEditView):
    queryset = VehicleQuota.objects.all()
    form = forms.VehicleQuotaForm


class VehicleQuotaDeleteView(ObjectDeleteView):
    queryset = VehicleQuota.objects.all()


# Standards ----------------------------------------------------------------------------------------
class VehicleStandardListView(ObjectListView):
    queryset = VehicleStandard.objects.select_related("region")
    filterset = filtersets.VehicleStandardFilterSet
    table = tables.VehicleStandardTable


class VehicleStandardView(ObjectView):
    queryset = VehicleStandard.objects.select_related("region")
    template_name = "vehicles/vehiclestandard.html"
    attributes = (
        "name",
        "kind",
        "region",
        "source",
        "revision",
        "effective_from",
        "effective_to",
        "notes",
    )

    def get_extra_context(self, obj: VehicleStandard) -> dict[str, Any]:
        writable = (
            not obj.is_national
            and VehicleStandard.objects.restrict(self.request.user, "change")
            .filter(pk=obj.pk)
            .exists()
        )
        return {
            "rows": obj.rows.all(),
            "parameters": obj.parameters.all(),
            "can_change": writable,
            "can_delete": writable,
        }


class VehicleStandardEditView(ObjectEditView):
    queryset = VehicleStandard.objects.all()
    form = forms.VehicleStandardForm


class VehicleStandardDeleteView(ObjectDeleteView):
    queryset = VehicleStandard.objects.all()


StandardRowViews = generic_views(
    VehicleStandardRow,
    filtersets.VehicleStandardRowFilterSet,
    tables.VehicleStandardRowTable,
    forms.VehicleStandardRowForm,
    related=("standard",),
)
StandardParameterViews = generic_views(
    VehicleStandardParameter,
    filtersets.VehicleStandardParameterFilterSet,
    tables.VehicleStandardParameterTable,
    forms.VehicleStandardParameterForm,
    related=("standard",),
)


# Running costs -------------------------------------------------------------------------------------
FuelCardViews = generic_views(
    FuelCard,
    filtersets.FuelCardFilterSet,
    tables.FuelCardTable,
    forms.FuelCardForm,
    related=VEHICLE_JOIN,
    filter_order=("region", "unit", "vehicle", "issuer", "active"),
)
FuelRecordViews = generic_views(
    FuelRecord,
    filtersets.FuelRecordFilterSet,
    tables.FuelRecordTable,
    forms.FuelRecordForm,
    related=(*VEHICLE_JOIN, "card"),
    filter_order=("region", "unit", "vehicle", "card", "filled_after", "filled_before"),
)
RepairRecordViews = generic_views(
    RepairRecord,
    filtersets.RepairRecordFilterSet,
    tables.RepairRecordTable,
    forms.RepairRecordForm,
    related=(*VEHICLE_JOIN, "shop"),
    filter_order=("region", "unit", "vehicle", "shop", "kind", "repaired_after", "repaired_before"),
)
InsurancePolicyViews = generic_views(
    InsurancePolicy,
    filtersets.InsurancePolicyFilterSet,
    tables.InsurancePolicyTable,
    forms.InsurancePolicyForm,
    related=VEHICLE_JOIN,
    filter_order=("region", "unit", "vehicle", "kind", "expiry"),
)
AnnualInspectionViews = generic_views(
    AnnualInspection,
    filtersets.AnnualInspectionFilterSet,
    tables.AnnualInspectionTable,
    forms.AnnualInspectionForm,
    related=VEHICLE_JOIN,
    filter_order=("region", "unit", "vehicle", "due", "done", "result", "due_after", "due_before"),
)


RepairShopViews = generic_views(
    RepairShop,
    filtersets.RepairShopFilterSet,
    tables.RepairShopTable,
    forms.RepairShopForm,
    related=("region",),
)


# Overview, new-energy share, costs ----------------------------------------------------------------
class ScopedPageView(LoginRequiredMixin, View):
    """A summary page for accounts that may view vehicles."""

    permission_model: ClassVar[type] = Vehicle

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_model_perm(
            self.permission_model, "view"
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _year(request) -> int:
    this_year = clock.today().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year else this_year


def _date(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _period(request) -> tuple[datetime.date, datetime.date]:
    start, end = selectors.default_period()
    start, end = _date(request.GET.get("start"), start), _date(request.GET.get("end"), end)
    return (start, end) if start <= end else (end, start)


def _with_heights(**specs: dict) -> dict[str, dict]:
    """Each chart's spec with the height its bars need."""
    return {
        name: {"spec": spec, "height": selectors.bar_chart_height(spec)}
        for name, spec in specs.items()
    }


class OverviewView(ScopedPageView):
    """公务用车概况: headline figures and three charts, each bar opening its list."""

    def get(self, request):
        user = request.user
        year = _year(request)
        vehicles = Vehicle.objects.restrict(user, "view")
        held = vehicles.filter(status__in=HOLDS_QUOTA)
        figures = held.aggregate(total=Count("pk"), ne=Count("pk", filter=Q(new_energy=True)))
        shares = selectors.shares_by_organization(user, year)
        start, end = selectors.default_period()
        costs = selectors.costs_by_organization(user, start, end)
        due = AnnualInspection.objects.restrict(user, "view").filter(
            done_on__isnull=True,
            due_on__lte=clock.today() + datetime.timedelta(days=filtersets.DUE_SOON_DAYS),
            vehicle__status__in=HOLDS_QUOTA,
        )
        bought = sum(s.share.total for s in shares)
        bought_ne = sum(s.share.new_energy for s in shares)
        context = {
            "year": year,
            "figures": figures,
            "bought": bought,
            "bought_ne": bought_ne,
            "below_aim": sum(1 for s in shares if s.share.meets is False),
            "organizations_buying": len(shares),
            "due_count": due.count(),
            "charts": _with_heights(
                fleet=selectors.fleet_by_category_chart(user),
                share=selectors.new_energy_share_chart(user, year, shares),
                cost=selectors.cost_per_km_chart(costs, start, end),
            ),
            "start": start,
            "end": end,
            "aim": shares[0].share.aim if shares else standard_for(None).param("new_energy_share"),
            "shown_max": selectors.MAX_BARS,
        }
        return render(request, "vehicles/overview.html", context)


class NewEnergyView(ScopedPageView):
    """新能源配备比例: every organization's share of the year's new vehicles against the aim."""

    def get(self, request):
        year = _year(request)
        shares = selectors.shares_by_organization(request.user, year)
        context = {
            "year": year,
            "years": range(clock.today().year, clock.today().year - 6, -1),
            "shares": shares,
            "charts": _with_heights(
                share=selectors.new_energy_share_chart(request.user, year, shares)
            ),
            "shown_max": selectors.MAX_BARS,
        }
        return render(request, "vehicles/new_energy.html", context)


class CostsView(ScopedPageView):
    """运行费用: costs, cost per km and per vehicle by organization over a period."""

    permission_model = FuelRecord

    def get(self, request):
        start, end = _period(request)
        rows = selectors.costs_by_organization(request.user, start, end)
        context = {
            "start": start,
            "end": end,
            "rows": rows,
            "charts": _with_heights(cost=selectors.cost_per_km_chart(rows, start, end)),
            "shown_max": selectors.MAX_BARS,
        }
        return render(request, "vehicles/costs.html", context)
