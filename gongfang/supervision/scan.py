"""The anomaly scan: the facts of closed trips read from the database, the rules applied, the
findings written (one per rule and trip, fuel record or silence — a second scan adds nothing).

``scan_trips`` judges given trips (the ``trip_closed`` signal, tests, the demo); ``scan_since_last``
the trips closed since the previous scan (the periodic job and the task), plus the fuel records
filled and the terminals gone silent since. A finding is written once; a finding already there is
left as its reviewers left it (state, reason).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from ..framework import clock
from ..framework.changelog import record_events
from ..framework.workdays import day_status
from ..registry.models import Compound
from ..terminals.models import Position, Terminal, Trip
from ..vehicles.choices import DispatchState, VehicleStatus
from ..vehicles.models import Dispatch, FuelRecord, Vehicle
from . import rules
from .models import Anomaly, RegionArea, RuleVersion, ScanNote, ScanRun
from .rules import Area, DispatchFacts, Rule, TripFacts, Verdict

OVERLAP = datetime.timedelta(minutes=5)  # trips updated while the previous scan ran
DISPATCH_WINDOW = datetime.timedelta(hours=12)
# The compounds of a city cluster in its towns: their extent plus this is the city's default area.
DEFAULT_MARGIN_KM = 25.0


# Rules in force ---------------------------------------------------------------------------------
class RuleBook:
    """The version of each rule in force for a region on a day (the most local one wins)."""

    def __init__(self) -> None:
        self.versions = list(
            RuleVersion.objects.select_related("region").order_by("rule", "-number")
        )
        self._cache: dict[tuple[str, str, datetime.date], RuleVersion | None] = {}

    def get(self, rule: str, region_path: str, on: datetime.date) -> RuleVersion | None:
        key = (rule, region_path, on)
        if key not in self._cache:
            candidates = [
                v
                for v in self.versions
                if v.rule == rule
                and v.effective_from <= on
                and (v.effective_to is None or v.effective_to >= on)
                and (v.region_id is None or region_path.startswith(v.region.path))
            ]
            candidates.sort(key=lambda v: (len(v.region.path) if v.region_id else 0, v.number))
            self._cache[key] = candidates[-1] if candidates else None
        version = self._cache[key]
        return version if version is not None and version.enabled else None


# Areas (V2) -------------------------------------------------------------------------------------
def _city_path(path: str) -> str:
    codes = [c for c in path.split("/") if c]
    return "/".join(codes[:2]) + "/" if len(codes) >= 2 else path


class Areas:
    """A region's configured area (its own or its nearest ancestor's), else the extent of the
    compounds of its city (prefecture) — where its cars are expected to be."""

    def __init__(self) -> None:
        self.rows = list(RegionArea.objects.select_related("region"))
        self._cache: dict[str, Area | None] = {}

    def for_region(self, region) -> Area | None:
        if region.path in self._cache:
            return self._cache[region.path]
        own = [a for a in self.rows if region.path.startswith(a.region.path)]
        if own:
            row = max(own, key=lambda a: len(a.region.path))
            area = Area(
                name=row.region.name,
                bbox=(row.south, row.west, row.north, row.east) if row.kind == "bbox" else None,
                polygon=row.polygon if row.kind == "polygon" else (),
                source=row.source or "区域范围设置",
            )
        else:
            city = _city_path(region.path)
            extent = Compound.objects.filter(
                region__path__startswith=city, lat__isnull=False
            ).aggregate(Min("lat"), Max("lat"), Min("lng"), Max("lng"))
            if extent["lat__min"] is None:
                area = None
            else:
                from ..registry.models import Region

                city_region = Region.objects.filter(path=city).first()
                area = Area(
                    name=city_region.name if city_region else region.name,
                    bbox=(
                        float(extent["lat__min"]),
                        float(extent["lng__min"]),
                        float(extent["lat__max"]),
                        float(extent["lng__max"]),
                    ),
                    source=f"本市院落分布范围外扩 {DEFAULT_MARGIN_KM} 公里（未设置区域范围时的默认值）",
                    margin_km=DEFAULT_MARGIN_KM,
                )
        self._cache[region.path] = area
        return area


# Facts ------------------------------------------------------------------------------------------
def trip_facts(trip: Trip) -> TripFacts:
    return TripFacts(
        id=trip.pk,
        vehicle_id=trip.vehicle_id,
        start_at=trip.start_at,
        end_at=trip.end_at,
        start=(trip.start_lat, trip.start_lng),
        end=(trip.end_lat, trip.end_lng),
        distance_km=trip.distance_km,
        route=trip.route or (),
    )


def dispatch_facts(dispatch: Dispatch) -> DispatchFacts:
    return DispatchFacts(
        id=dispatch.pk,
        state=dispatch.state,
        state_label=dispatch.get_state_display(),
        start_at=min(dispatch.start_at, dispatch.departed_at or dispatch.start_at),
        end_at=dispatch.end_at,
        returned_at=dispatch.returned_at,
        purpose=dispatch.purpose,
    )


@dataclass
class Outcome:
    trips: int = 0
    found: int = 0
    noted: int = 0

    def text(self) -> str:
        return f"检查行程 {self.trips:,} 个，新发现异常线索 {self.found:,} 条，未能判断 {self.noted:,} 条。"


# The scan ---------------------------------------------------------------------------------------
def _dispatches_by_vehicle(trips: list[Trip]) -> dict[int, list[Dispatch]]:
    if not trips:
        return {}
    start = min(t.start_at for t in trips) - DISPATCH_WINDOW
    end = max(t.end_at for t in trips) + DISPATCH_WINDOW
    by_vehicle: dict[int, list[Dispatch]] = defaultdict(list)
    for d in Dispatch.objects.filter(
        vehicle_id__in={t.vehicle_id for t in trips}, start_at__lt=end, end_at__gt=start
    ).exclude(state=DispatchState.CANCELLED):
        by_vehicle[d.vehicle_id].append(d)
    return by_vehicle


def _next_starts(trips: list[Trip]) -> dict[int, datetime.datetime | None]:
    """Each trip's vehicle's next trip start (for V5's overnight stay)."""
    result: dict[int, datetime.datetime | None] = {}
    by_vehicle: dict[int, list[Trip]] = defaultdict(list)
    for t in trips:
        by_vehicle[t.vehicle_id].append(t)
    for vehicle_id, own in by_vehicle.items():
        lo = min(t.start_at for t in own)
        hi = max(t.end_at for t in own) + datetime.timedelta(days=2)
        starts = sorted(
            Trip.objects.filter(
                vehicle_id=vehicle_id, start_at__gte=lo, start_at__lte=hi
            ).values_list("start_at", flat=True)
        )
        for t in own:
            later = [s for s in starts if s > t.start_at and s >= t.end_at]
            result[t.pk] = later[0] if later else None
    return result


def _reports_between(trip: Trip):
    """For V7: whether the terminal reported between two moments of the trip; None (no silence
    can be judged) when no raw report of the trip is kept at all."""
    reports = Position.objects.filter(
        vehicle_id=trip.vehicle_id, recorded_at__gte=trip.start_at, recorded_at__lte=trip.end_at
    )
    if not reports.exists():
        return lambda a, b: True

    def between(a: float, b: float) -> bool:
        lo = datetime.datetime.fromtimestamp(a, datetime.UTC)
        hi = datetime.datetime.fromtimestamp(b, datetime.UTC)
        return reports.filter(recorded_at__gt=lo, recorded_at__lt=hi).exists()

    return between


def judge_trip(
    trip: Trip, *, book: RuleBook, areas: Areas, dispatches: list[Dispatch], next_start
) -> list[tuple[Verdict, RuleVersion]]:
    """Every rule's verdict on one trip (findings and notes) with the version that judged it."""
    vehicle = trip.vehicle
    facts = trip_facts(trip)
    on = rules.local(trip.start_at).date()
    path = vehicle.region.path
    out: list[tuple[Verdict, RuleVersion]] = []

    def run(rule: str, check) -> None:
        version = book.get(rule, path, on)
        if version is None:
            return
        verdict = check(version.parameters)
        if verdict is not None:
            out.append((verdict, version))

    compound = vehicle.parking_compound
    designated = (
        (float(compound.lat), float(compound.lng))
        if compound is not None and compound.lat is not None
        else None
    )
    ds = sorted(
        (
            d
            for d in dispatches
            if d.start_at < trip.end_at + DISPATCH_WINDOW
            and max(d.end_at, d.returned_at or d.end_at) > trip.start_at - DISPATCH_WINDOW
        ),
        key=lambda d: d.start_at,
    )
    run(Rule.V1, lambda p: rules.check_v1(facts, p, day_status))
    run(Rule.V2, lambda p: rules.check_v2(facts, p, areas.for_region(vehicle.region)))
    run(Rule.V3, lambda p: rules.check_v3(facts, p))
    run(Rule.V4, lambda p: rules.check_v4(facts, p, [dispatch_facts(d) for d in ds]))
    run(
        Rule.V5,
        lambda p: rules.check_v5(
            facts, next_start, p, designated, compound.name if compound else ""
        ),
    )
    run(Rule.V7, lambda p: rules.check_v7_gaps(facts, p, _reports_between(trip)))
    return out


def _write(
    verdicts: list[tuple[Verdict, RuleVersion, Vehicle, Trip | None, FuelRecord | None, object]],
    outcome: Outcome,
) -> None:
    """Create the findings and notes not written before (one transaction; keys deduplicate)."""
    keys = [v.key for v, *_ in verdicts]
    with transaction.atomic():
        existing = set(Anomaly.objects.filter(key__in=keys).values_list("key", flat=True))
        existing |= set(ScanNote.objects.filter(key__in=keys).values_list("key", flat=True))
        anomalies, notes = [], []
        for verdict, version, vehicle, trip, fuel, at in verdicts:
            if verdict.key in existing:
                continue
            existing.add(verdict.key)
            if verdict.is_finding:
                anomalies.append(
                    Anomaly(
                        rule=verdict.rule,
                        key=verdict.key,
                        rule_version=version,
                        vehicle=vehicle,
                        organization_id=vehicle.organization_id,
                        region_id=vehicle.region_id,
                        trip=trip,
                        fuel_record=fuel,
                        occurred_at=at,
                        summary=verdict.summary[:300],
                        lines=[*verdict.lines, f"规则：{version}；依据：{version.source}"],
                        figures=verdict.figures,
                    )
                )
            else:
                notes.append(
                    ScanNote(
                        key=verdict.key,
                        rule=verdict.rule,
                        vehicle=vehicle,
                        organization_id=vehicle.organization_id,
                        region_id=vehicle.region_id,
                        trip=trip,
                        text=verdict.note[:300],
                    )
                )
        created = Anomaly.objects.bulk_create(anomalies)
        ScanNote.objects.bulk_create(notes)
        if created and created[0].pk is None:  # SQLite before 3.35 returns no keys
            created = list(Anomaly.objects.filter(key__in=[a.key for a in anomalies]))
        record_events(
            actor=None,
            entries=[("anomaly.found", a, {"rule": a.rule, "summary": a.summary}) for a in created],
        )
    outcome.found += len(anomalies)
    outcome.noted += len(notes)


def scan_trips(trips: Iterable[Trip], outcome: Outcome | None = None, chunk: int = 500) -> Outcome:
    """Judge closed trips by V1–V5 and V7 and write what is new (``chunk`` trips at a time)."""
    outcome = outcome or Outcome()
    ids = sorted({t.pk for t in trips})
    book, areas = RuleBook(), Areas()
    for i in range(0, len(ids), chunk):
        part = list(
            Trip.objects.filter(pk__in=ids[i : i + chunk], closed=True).select_related(
                "vehicle__region", "vehicle__parking_compound"
            )
        )
        dispatches = _dispatches_by_vehicle(part)
        next_starts = _next_starts(part)
        verdicts = []
        for trip in part:
            for verdict, version in judge_trip(
                trip,
                book=book,
                areas=areas,
                dispatches=dispatches.get(trip.vehicle_id, []),
                next_start=next_starts.get(trip.pk),
            ):
                verdicts.append((verdict, version, trip.vehicle, trip, None, trip.start_at))
        _write(verdicts, outcome)
        outcome.trips += len(part)
    return outcome


def scan_fuel(records: Iterable[FuelRecord], outcome: Outcome | None = None) -> Outcome:
    """V6: each fill against the trips' distance since the vehicle's previous fill."""
    outcome = outcome or Outcome()
    book = RuleBook()
    verdicts = []
    for record in records:
        vehicle = record.vehicle
        version = book.get(Rule.V6, vehicle.region.path, record.filled_on)
        if version is None:
            continue
        previous = (
            FuelRecord.objects.filter(vehicle=vehicle, filled_on__lt=record.filled_on)
            .order_by("-filled_on", "-pk")
            .values_list("filled_on", flat=True)
            .first()
        )
        since = previous or record.filled_on - datetime.timedelta(days=30)
        start = datetime.datetime.combine(since, datetime.time(), rules.LOCAL)
        end = datetime.datetime.combine(
            record.filled_on + datetime.timedelta(days=1), datetime.time(), rules.LOCAL
        )
        distance = sum(
            Trip.objects.filter(vehicle=vehicle, start_at__gte=start, start_at__lt=end).values_list(
                "distance_km", flat=True
            )
        )
        verdict = rules.check_v6(
            record_id=record.pk,
            filled_on=record.filled_on,
            litres=float(record.litres),
            since=since,
            distance_km=float(distance),
            norm_l_per_100km=float(vehicle.fuel_norm) if vehicle.fuel_norm else None,
            params=version.parameters,
        )
        if verdict is not None:
            at = datetime.datetime.combine(record.filled_on, datetime.time(12), rules.LOCAL)
            verdicts.append((verdict, version, vehicle, None, record, at))
    _write(verdicts, outcome)
    return outcome


def scan_silent(now: datetime.datetime | None = None, outcome: Outcome | None = None) -> Outcome:
    """V7: bound terminals of cars in use that have not reported for the rule's hours."""
    outcome = outcome or Outcome()
    now = now or clock.now()
    book = RuleBook()
    verdicts = []
    for terminal in Terminal.objects.filter(
        vehicle__isnull=False, vehicle__status=VehicleStatus.IN_USE, last_seen_at__isnull=False
    ).select_related("vehicle__region"):
        vehicle = terminal.vehicle
        version = book.get(Rule.V7, vehicle.region.path, rules.local(now).date())
        if version is None:
            continue
        verdict = rules.check_v7_silent(
            vehicle_id=vehicle.pk,
            last_seen=terminal.last_seen_at,
            now=now,
            params=version.parameters,
        )
        if verdict is not None:
            verdicts.append((verdict, version, vehicle, None, None, terminal.last_seen_at))
    _write(verdicts, outcome)
    return outcome


def scan_since_last() -> Outcome:
    """The periodic scan: trips closed and fuel records written since the previous scan, and
    terminals gone silent."""
    previous = ScanRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    since = previous.started_at - OVERLAP if previous else None
    run = ScanRun.objects.create(started_at=timezone.now())
    trips = Trip.objects.filter(closed=True)
    fuel = FuelRecord.objects.select_related("vehicle__region")
    if since is not None:
        trips = trips.filter(updated_at__gte=since)
        fuel = fuel.filter(Q(updated_at__gte=since))
    outcome = scan_trips(trips.only("pk"))
    scan_fuel(fuel, outcome)
    scan_silent(outcome=outcome)
    run.finished_at = timezone.now()
    run.trips, run.found, run.noted = outcome.trips, outcome.found, outcome.noted
    run.save(update_fields=["finished_at", "trips", "found", "noted"])
    return outcome
