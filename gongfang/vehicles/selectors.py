"""Reads of vehicles: quota use, running costs per vehicle and organization, the overview charts.

Everything starts from ``.restrict(user, "view")``: a unit sees its own fleet and costs, a bureau
its region's. Cost per km divides fuel and repair costs of a period by the kilometres the
odometer readings of that period show (the highest reading less the lowest, per vehicle);
insurance is an annual cost and is counted per vehicle, not per km.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from ..framework import caching, clock
from .choices import HOLDS_QUOTA, VehicleCategory
from .models import (
    AnnualInspection,
    FuelRecord,
    InsurancePolicy,
    RepairRecord,
    Vehicle,
)
from .standards import Share, share_aim

ZERO = Decimal(0)


def quotas_with_use(queryset):
    """Quotas annotated with ``used`` (vehicles holding a place) and ``free`` (may be negative)."""
    used = (
        Vehicle.objects.filter(
            organization=OuterRef("organization"),
            category=OuterRef("category"),
            status__in=HOLDS_QUOTA,
        )
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        used=Coalesce(Subquery(used, output_field=IntegerField()), Value(0))
    ).annotate(free=F("count") - F("used"))


# Running costs ----------------------------------------------------------------------------------
@dataclass
class CostRow:
    """Running costs of one vehicle or one organization over a period."""

    key: int
    label: str
    vehicles: int = 0
    fuel: Decimal = ZERO
    repair: Decimal = ZERO
    insurance: Decimal = ZERO
    km: int = 0

    @property
    def running(self) -> Decimal:
        return self.fuel + self.repair

    @property
    def total(self) -> Decimal:
        return self.fuel + self.repair + self.insurance

    @property
    def per_km(self) -> Decimal | None:
        """Fuel and repairs per kilometre driven; ``None`` when no distance is known."""
        if self.km <= 0:
            return None
        return (self.running / self.km).quantize(Decimal("0.01"))

    @property
    def per_vehicle(self) -> Decimal | None:
        if self.vehicles == 0:
            return None
        return (self.total / self.vehicles).quantize(Decimal("0.01"))


def default_period() -> tuple[datetime.date, datetime.date]:
    """The last 30 days up to today."""
    end = clock.today()
    return end - datetime.timedelta(days=29), end


def _km_by_vehicle(vehicles, start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Kilometres per vehicle in the period from its fuel and repair odometer readings."""
    readings: dict[int, list[int]] = {}
    for model, date_field in ((FuelRecord, "filled_on"), (RepairRecord, "repaired_on")):
        rows = (
            model.objects.filter(
                vehicle__in=vehicles,
                odometer__isnull=False,
                **{f"{date_field}__range": (start, end)},
            )
            .order_by()
            .values("vehicle")
            .annotate(low=Min("odometer"), high=Max("odometer"))
        )
        for row in rows:
            readings.setdefault(row["vehicle"], []).extend((row["low"], row["high"]))
    return {pk: max(values) - min(values) for pk, values in readings.items()}


def _km_by_organization(vehicles, start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Kilometres per organization: per vehicle the highest reading of the period less the
    lowest (fuel and repair records together), summed in the database — reading 25,000
    vehicles' readings into Python took a second."""
    try:
        scoped, scope_params = vehicles.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return {}
    fuel, repair = FuelRecord._meta.db_table, RepairRecord._meta.db_table
    sql = f"""
        SELECT v.organization_id, SUM(r.high - r.low) FROM (
            SELECT vehicle_id, MAX(odometer) AS high, MIN(odometer) AS low FROM (
                SELECT vehicle_id, odometer FROM {fuel}
                WHERE filled_on BETWEEN %s AND %s AND odometer IS NOT NULL
                UNION ALL
                SELECT vehicle_id, odometer FROM {repair}
                WHERE repaired_on BETWEEN %s AND %s AND odometer IS NOT NULL
            ) readings GROUP BY vehicle_id
        ) r JOIN {Vehicle._meta.db_table} v ON v.id = r.vehicle_id
        WHERE v.id IN ({scoped}) GROUP BY v.organization_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end, start, end, *scope_params])
        return {org: int(km or 0) for org, km in cursor.fetchall()}


def _sums(model, vehicles, date_q: Q, amount: str, group: str) -> dict[int, Decimal]:
    rows = (
        model.objects.filter(date_q, vehicle__in=vehicles)
        .order_by()
        .values(group)
        .annotate(total=Sum(amount))
    )
    return {row[group]: row["total"] or ZERO for row in rows}


def _period_qs(start: datetime.date, end: datetime.date):
    return (
        Q(filled_on__range=(start, end)),
        Q(repaired_on__range=(start, end)),
        # Policies starting in the period.
        Q(start_on__range=(start, end)),
    )


def costs_by_organization(user, start: datetime.date, end: datetime.date) -> list[CostRow]:
    """Costs per organization of the vehicles the account sees, highest cost per km first;
    organizations without any vehicle are left out. Cached until the next write
    (framework.caching): a province's bureau sums a month of 25,000 vehicles' records."""
    return caching.cached(
        "vehicles.costs",
        (caching.scope_key(user), start.isoformat(), end.isoformat()),
        lambda: _costs_by_organization(Vehicle.objects.restrict(user, "view"), start, end),
    )


def _costs_by_organization(vehicles, start: datetime.date, end: datetime.date) -> list[CostRow]:
    fuel_q, repair_q, insurance_q = _period_qs(start, end)
    group = "vehicle__organization"
    fuel = _sums(FuelRecord, vehicles, fuel_q, "amount", group)
    repair = _sums(RepairRecord, vehicles, repair_q, "amount", group)
    insurance = _sums(InsurancePolicy, vehicles, insurance_q, "premium", group)
    organizations = {
        row["organization"]: row
        for row in vehicles.order_by()
        .values("organization", "organization__name")
        .annotate(n=Count("pk"))
    }
    km = _km_by_organization(vehicles, start, end)
    rows = [
        CostRow(
            key=pk,
            label=row["organization__name"],
            vehicles=row["n"],
            fuel=fuel.get(pk, ZERO),
            repair=repair.get(pk, ZERO),
            insurance=insurance.get(pk, ZERO),
            km=km.get(pk, 0),
        )
        for pk, row in organizations.items()
    ]
    rows.sort(key=lambda r: (r.per_km is None, -(r.per_km or 0), r.label))
    return rows


def costs_of_vehicle(vehicle: Vehicle, start: datetime.date, end: datetime.date) -> CostRow:
    vehicles = Vehicle.objects.filter(pk=vehicle.pk)
    fuel_q, repair_q, insurance_q = _period_qs(start, end)
    return CostRow(
        key=vehicle.pk,
        label=str(vehicle),
        vehicles=1,
        fuel=_sums(FuelRecord, vehicles, fuel_q, "amount", "vehicle").get(vehicle.pk, ZERO),
        repair=_sums(RepairRecord, vehicles, repair_q, "amount", "vehicle").get(vehicle.pk, ZERO),
        insurance=_sums(InsurancePolicy, vehicles, insurance_q, "premium", "vehicle").get(
            vehicle.pk, ZERO
        ),
        km=_km_by_vehicle(vehicles, start, end).get(vehicle.pk, 0),
    )


# New-energy share ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrganizationShare:
    organization_id: int
    name: str
    share: Share


def shares_by_organization(user, year: int) -> list[OrganizationShare]:
    """The new-energy share of each organization's vehicles bought in ``year`` (organizations
    that bought none are left out), lowest share first."""
    rows = (
        Vehicle.objects.restrict(user, "view")
        .filter(bought_on__year=year)
        .order_by()
        .values("organization", "organization__name")
        .annotate(total=Count("pk"), ne=Count("pk", filter=Q(new_energy=True)))
    )
    aim = share_aim(_account_region(user), datetime.date(year, 12, 31))
    result = [
        OrganizationShare(
            row["organization"],
            row["organization__name"],
            Share(year, row["total"], row["ne"], aim),
        )
        for row in rows
    ]
    result.sort(key=lambda r: (r.share.share, r.name))
    return result


def _account_region(user):
    from ..standards.models import account_region

    return account_region(user)


# Annual inspections --------------------------------------------------------------------------------
def inspections_due(*, within_days: int = 30, on: datetime.date | None = None):
    """Open annual inspections due within ``within_days`` or overdue (every scope: for jobs)."""
    on = on or clock.today()
    return AnnualInspection.objects.filter(
        done_on__isnull=True,
        due_on__lte=on + datetime.timedelta(days=within_days),
        vehicle__status__in=HOLDS_QUOTA,
    ).select_related("vehicle__organization")


# Charts ------------------------------------------------------------------------------------------
def _list_url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    url = reverse(f"vehicles:{name}")
    return f"{url}?{query}" if query else url


AXIS_LABEL = {"interval": 0, "width": 110, "overflow": "truncate"}


def fleet_by_category_chart(user) -> dict:
    """Vehicles not yet disposed of per category; a bar opens the list of that category."""
    counts = dict(
        Vehicle.objects.restrict(user, "view")
        .filter(status__in=HOLDS_QUOTA)
        .order_by()
        .values("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    categories = [c for c in VehicleCategory if counts.get(c.value)]
    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 8, "right": 24, "top": 16, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "value", "minInterval": 1},
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [c.label for c in categories],
                "axisLabel": AXIS_LABEL,
            },
            "series": [
                {
                    "type": "bar",
                    "name": "车辆数",
                    "data": [counts[c.value] for c in categories],
                    "label": {"show": True, "position": "right"},
                }
            ],
        },
        "links": {
            "0": [_list_url("vehicle_list", category=c.value, in_fleet="true") for c in categories]
        },
    }


MAX_BARS = 30


def bar_chart_height(spec: dict) -> int:
    """Pixels for a horizontal bar chart: room for every label."""
    bars = len(spec["option"]["yAxis"]["data"])
    return max(160, 24 * bars + 70)


def new_energy_share_chart(user, year: int, shares: list[OrganizationShare]) -> dict:
    """Each organization's new-energy share of the year's new vehicles against the aim (a line);
    the lowest ``MAX_BARS`` when there are more. A bar opens that organization's vehicles bought
    in the year."""
    shown = shares[:MAX_BARS]
    aim = float(shown[0].share.aim * 100) if shown else 30.0
    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 8, "right": 40, "top": 24, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [s.name for s in shown],
                "axisLabel": AXIS_LABEL,
            },
            "series": [
                {
                    "type": "bar",
                    "name": f"{year} 年新能源占比（%）",
                    "data": [
                        {
                            "value": float((s.share.share * 100).quantize(Decimal("0.1"))),
                            "itemStyle": {"color": "#2fb344" if s.share.meets else "#d63939"},
                        }
                        for s in shown
                    ],
                    "label": {"show": True, "position": "right", "formatter": "{c}%"},
                    "markLine": {
                        "symbol": "none",
                        "data": [{"xAxis": aim, "name": "目标"}],
                        "label": {"formatter": f"目标 {aim:g}%", "position": "start"},
                        "lineStyle": {"type": "dashed", "color": "#f59f00"},
                    },
                }
            ],
        },
        "links": {
            "0": [
                _list_url("vehicle_list", organization=s.organization_id, bought_year=year)
                for s in shown
            ]
        },
    }


def cost_per_km_chart(rows: list[CostRow], start: datetime.date, end: datetime.date) -> dict:
    """Cost per km by organization (highest first, ``MAX_BARS``); a bar opens its fuel records."""
    shown = [r for r in rows if r.per_km is not None][:MAX_BARS]
    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 8, "right": 40, "top": 16, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "value"},
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [r.label for r in shown],
                "axisLabel": AXIS_LABEL,
            },
            "series": [
                {
                    "type": "bar",
                    "name": "每公里运行费用（元）",
                    "data": [float(r.per_km) for r in shown],
                    "label": {"show": True, "position": "right"},
                }
            ],
        },
        "links": {
            "0": [
                _list_url(
                    "fuelrecord_list",
                    unit=r.key,
                    filled_after=start.isoformat(),
                    filled_before=end.isoformat(),
                )
                for r in shown
            ]
        },
    }
