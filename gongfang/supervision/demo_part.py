"""The supervision part of the demo (after the terminals' month of trips): a fuel record far above
what the mileage explains (V6), the scan over every closed trip, and findings moved into every
state by the demo's accounts — the bureau confirms, the unit explains, the supervisor dismisses.
The holiday trips' findings stay open: the bureau's walk-through confirms one of them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from ..vehicles.models import FuelRecord, Vehicle
from .models import Anomaly, AnomalyState, RegionArea, ScanNote, ScanRun

LABEL = "用车异常扫描"
V6_STATION = "演示加油站（远超里程）"


def existing() -> dict[str, int]:
    n = Anomaly.objects.count()
    return {"用车异常": n} if n else {}


def flush() -> int:
    total = 0
    for model in (Anomaly, ScanNote, ScanRun, RegionArea):
        total += model.objects.all().delete()[0]
    total += FuelRecord.objects.filter(station=V6_STATION).delete()[0]
    return total


def _fuel_far_above(run) -> FuelRecord | None:
    """A fill of 60 litres yesterday on a car with trips and a fuel norm: its trips since its
    previous fill explain far less."""
    from ..terminals.models import Trip

    vehicle_ids = (
        Trip.objects.filter(closed=True, vehicle__fuel_norm__isnull=False)
        .order_by("vehicle_id")
        .values_list("vehicle_id", flat=True)
        .distinct()[:1]
    )
    vehicle = Vehicle.objects.filter(pk__in=list(vehicle_ids)).first()
    if vehicle is None:
        return None
    return FuelRecord.objects.create(
        vehicle=vehicle,
        filled_on=run.anchor - datetime.timedelta(days=1),
        litres=Decimal("60.00"),
        amount=Decimal("468.00"),
        station=V6_STATION,
    )


def _move_some(run) -> dict[str, int]:
    """One finding or more in each state, each moved by the account whose step it is."""
    from . import services

    bureau = run.users.get("zz_bureau")
    unit = run.users.get("unit_admin")
    supervisor = run.users.get("supervisor")
    moved = {state: 0 for state in AnomalyState.values}
    kept = Anomaly.objects.filter(rule__in=("V1", "V4"))  # the walk-through's holiday trip
    candidates = Anomaly.objects.filter(state=AnomalyState.OPEN).exclude(pk__in=kept.values("pk"))
    plan = [
        (unit, AnomalyState.EXPLAINED, "当晚接待上级检查组，已补办派车手续。", ("V3", "V5")),
        (bureau, AnomalyState.CONFIRMED, "", ("V2", "V3", "V5", "V7")),
        (
            supervisor,
            AnomalyState.DISMISSED,
            "经核实为防汛值班用车，情况属实。",
            ("V6", "V7", "V3"),
        ),
    ]
    for actor, state, reason, rules in plan:
        if actor is None:
            continue
        pool = candidates.filter(rule__in=rules).restrict(actor, "view").order_by("occurred_at")
        for anomaly in pool[:2]:
            services.move(actor=actor, anomaly=anomaly, to=state, reason=reason)
            moved[state] += 1
    # An explained finding the bureau then confirms (the full path).
    explained = Anomaly.objects.filter(state=AnomalyState.EXPLAINED).order_by("pk").first()
    if explained is not None and bureau is not None and moved[AnomalyState.EXPLAINED] > 1:
        services.move(actor=bureau, anomaly=explained, to=AnomalyState.CONFIRMED)
    return moved


def build(run) -> None:
    from ..terminals.models import Trip
    from .scan import Outcome, scan_fuel, scan_silent, scan_trips

    fuel = _fuel_far_above(run)
    outcome = Outcome()
    scan_trips(Trip.objects.filter(closed=True).only("pk"), outcome)
    if fuel is not None:
        scan_fuel([fuel], outcome)
    scan_silent(outcome=outcome)
    ScanRun.objects.create(
        finished_at=timezone.now(), trips=outcome.trips, found=outcome.found, noted=outcome.noted
    )
    _move_some(run)
    counts = {
        label: Anomaly.objects.filter(state=state).count() for state, label in AnomalyState.choices
    }
    run.rows += outcome.found + outcome.noted
    run.section(
        "用车监督",
        [
            outcome.text(),
            "；".join(f"{label} {n:,} 条" for label, n in counts.items()),
        ],
    )
