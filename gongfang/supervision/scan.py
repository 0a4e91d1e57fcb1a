"""The anomaly scan: the facts of closed trips read from the database, the rules applied, the
findings written (one per rule and trip, fuel record or silence — a second scan adds nothing).

``scan_trips`` judges given trips (the ``trip_closed`` signal, tests, the demo); ``scan_since_last``
the trips closed since the previous scan (the periodic job and the task), plus the fuel records
filled and the terminals gone silent since. A finding is written once; a finding already there is
left as its reviewers left it (state, reason).

Trips are judged in batches (a closing trip is a batch of one): what the rules read beyond the
trip — its vehicle, region and designated compound, the dispatches around it, the vehicle's next
trip, the raw reports in its route's gaps, the findings already written — is read for the whole
batch in a fixed number of queries, and the new findings are inserted together. The calendar
(``framework.workdays``) is read once per process.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from ..framework import clock
from ..framework.bulk import insert_objects
from ..framework.changelog import record_events
from ..framework.workdays import day_status
from ..registry.models import Compound, Region
from ..terminals.models import Position, Terminal, Trip
from ..vehicles.choices import DispatchState, VehicleStatus
from ..vehicles.models import Dispatch, FuelRecord, Vehicle
from . import rules
from .models import Anomaly, RegionArea, RuleVersion, ScanNote, ScanRun
from .rules import Area, DispatchFacts, Rule, TripFacts, Verdict

OVERLAP = datetime.timedelta(minutes=5)  # trips updated while the previous scan ran
DISPATCH_WINDOW = datetime.timedelta(hours=12)
NEXT_TRIP_WINDOW = datetime.timedelta(days=2)  # V5 looks at most a night and a day ahead
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
        self._cities: dict[str, tuple[tuple[float, float, float, float] | None, str]] = {}

    def _city_extent(self, city: str) -> tuple[tuple[float, float, float, float] | None, str]:
        """The extent of a city's compounds (south, west, north, east) and the city's name, read
        once per city, not once per region of it."""
        if city not in self._cities:
            extent = Compound.objects.filter(
                region__path__startswith=city, lat__isnull=False
            ).aggregate(Min("lat"), Max("lat"), Min("lng"), Max("lng"))
            if extent["lat__min"] is None:
                self._cities[city] = (None, "")
            else:
                bbox = (
                    float(extent["lat__min"]),
                    float(extent["lng__min"]),
                    float(extent["lat__max"]),
                    float(extent["lng__max"]),
                )
                name = Region.objects.filter(path=city).values_list("name", flat=True).first()
                self._cities[city] = (bbox, name or "")
        return self._cities[city]

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
            bbox, city_name = self._city_extent(_city_path(region.path))
            area = (
                None
                if bbox is None
                else Area(
                    name=city_name or region.name,
                    bbox=bbox,
                    source=f"本市院落分布范围外扩 {DEFAULT_MARGIN_KM} 公里（未设置区域范围时的默认值）",
                    margin_km=DEFAULT_MARGIN_KM,
                )
            )
        self._cache[region.path] = area
        return area


# Facts ------------------------------------------------------------------------------------------
# The columns the rules read (the scan reads nothing else of a month of rows).
TRIP_FIELDS = (
    "vehicle_id",
    "start_at",
    "end_at",
    "start_lat",
    "start_lng",
    "end_lat",
    "end_lng",
    "distance_km",
    "route",
)


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


@dataclass(frozen=True)
class NearDispatch:
    """A dispatch as V4 reads it: its booked start and its latest end (end or return, whichever
    is later) find it near a trip; its facts judge the trip."""

    start_at: datetime.datetime
    until: datetime.datetime
    facts: DispatchFacts


@dataclass
class Outcome:
    trips: int = 0
    found: int = 0
    noted: int = 0

    def text(self) -> str:
        return f"检查行程 {self.trips:,} 个，新发现异常线索 {self.found:,} 条，未能判断 {self.noted:,} 条。"


# The scan ---------------------------------------------------------------------------------------
def _attach_vehicles(trips: list[Trip], vehicles: dict[int, Vehicle]) -> None:
    """Give each trip its vehicle with region and designated compound, reading only the vehicles
    not met in an earlier batch (one query)."""
    missing = {t.vehicle_id for t in trips} - vehicles.keys()
    if missing:
        for vehicle in Vehicle.objects.filter(pk__in=missing).select_related(
            "region", "parking_compound"
        ):
            vehicles[vehicle.pk] = vehicle
    for trip in trips:
        trip.vehicle = vehicles[trip.vehicle_id]


def _dispatches_by_vehicle(trips: list[Trip]) -> dict[int, list[NearDispatch]]:
    """The dispatches of the batch's vehicles around its trips (one query, plain values: a
    month's dispatches are read again by every batch of its trips)."""
    if not trips:
        return {}
    start = min(t.start_at for t in trips) - DISPATCH_WINDOW
    end = max(t.end_at for t in trips) + DISPATCH_WINDOW
    labels = dict(DispatchState.choices)
    by_vehicle: dict[int, list[NearDispatch]] = defaultdict(list)
    for pk, vehicle_id, state, start_at, departed_at, end_at, returned_at, purpose in (
        Dispatch.objects.filter(
            vehicle_id__in={t.vehicle_id for t in trips}, start_at__lt=end, end_at__gt=start
        )
        .exclude(state=DispatchState.CANCELLED)
        .values_list(
            "pk",
            "vehicle_id",
            "state",
            "start_at",
            "departed_at",
            "end_at",
            "returned_at",
            "purpose",
        )
    ):
        facts = DispatchFacts(
            id=pk,
            state=state,
            state_label=str(labels.get(state, state)),
            start_at=min(start_at, departed_at or start_at),
            end_at=end_at,
            returned_at=returned_at,
            purpose=purpose,
        )
        until = max(end_at, returned_at or end_at)
        by_vehicle[vehicle_id].append(NearDispatch(start_at, until, facts))
    return by_vehicle


def _next_starts(trips: list[Trip]) -> dict[int, datetime.datetime | None]:
    """Each trip's vehicle's next trip start within two days of the vehicle's last trip of the
    batch (V5's overnight stay), read for the whole batch in one query."""
    if not trips:
        return {}
    by_vehicle: dict[int, list[Trip]] = defaultdict(list)
    for t in trips:
        by_vehicle[t.vehicle_id].append(t)
    starts: dict[int, list[datetime.datetime]] = defaultdict(list)
    for vehicle_id, start_at in Trip.objects.filter(
        vehicle_id__in=by_vehicle.keys(),
        start_at__gte=min(t.start_at for t in trips),
        start_at__lte=max(t.end_at for t in trips) + NEXT_TRIP_WINDOW,
    ).values_list("vehicle_id", "start_at"):
        starts[vehicle_id].append(start_at)
    result: dict[int, datetime.datetime | None] = {}
    for vehicle_id, own in by_vehicle.items():
        lo = min(t.start_at for t in own)
        hi = max(t.end_at for t in own) + NEXT_TRIP_WINDOW
        moments = sorted(s for s in starts[vehicle_id] if lo <= s <= hi)
        for t in own:
            # The first start after the trip's start and not before its end.
            i = max(bisect.bisect_right(moments, t.start_at), bisect.bisect_left(moments, t.end_at))
            result[t.pk] = moments[i] if i < len(moments) else None
    return result


def _moment(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC)


# Stored moments have microseconds at most: "at or after t" is "after t minus one microsecond".
TICK = datetime.timedelta(microseconds=1)


class RawReports:
    """For V7, whether the terminal reported inside each gap of the batch's simplified routes
    (within the trip), and whether each such trip kept any raw report at all (without one no
    silence can be judged): one query for up to ``WINDOWS_PER_QUERY`` windows, never one per
    trip or gap."""

    WINDOWS_PER_QUERY = 1000

    def __init__(self, trips: list[Trip], gaps: dict[int, list]) -> None:
        # (vehicle, after, before): a report strictly between the two moments fills the window.
        windows: list[tuple[int, datetime.datetime, datetime.datetime]] = []
        self.whole: dict[int, int] = {}  # trip -> its whole window
        self.gap: dict[tuple[int, float, float], int] = {}  # (trip, epoch a, epoch b) -> window
        for trip in trips:
            if not gaps.get(trip.pk):
                continue
            after, before = trip.start_at - TICK, trip.end_at + TICK
            self.whole[trip.pk] = len(windows)
            windows.append((trip.vehicle_id, after, before))
            for a, b in gaps[trip.pk]:
                self.gap[trip.pk, a[2], b[2]] = len(windows)
                windows.append(
                    (trip.vehicle_id, max(after, _moment(a[2])), min(before, _moment(b[2])))
                )
        self.filled = self._filled(windows)

    def _filled(self, windows: list[tuple[int, datetime.datetime, datetime.datetime]]) -> set[int]:
        """The windows holding a raw report of their vehicle, found by the database (a table of
        windows against the positions' vehicle-and-time index): written out, as compiling
        thousands of ORM conditions cost more than the queries it saved."""
        connection = connections[router.db_for_read(Position)]
        quote = connection.ops.quote_name
        at = Position._meta.get_field("recorded_at")
        vehicle = Position._meta.get_field("vehicle").column
        filled: set[int] = set()
        for i in range(0, len(windows), self.WINDOWS_PER_QUERY):
            part = windows[i : i + self.WINDOWS_PER_QUERY]
            params: list = []
            for n, (vehicle_id, after, before) in enumerate(part, start=i):
                params += [
                    n,
                    vehicle_id,
                    at.get_db_prep_value(after, connection),
                    at.get_db_prep_value(before, connection),
                ]
            sql = (
                f"WITH w (n, vehicle_id, lo, hi) AS (VALUES "
                f"{', '.join(['(%s, %s, %s, %s)'] * len(part))}) "
                f"SELECT w.n FROM w WHERE EXISTS (SELECT 1 FROM "
                f"{quote(Position._meta.db_table)} p WHERE p.{quote(vehicle)} = w.vehicle_id "
                f"AND p.{quote(at.column)} > w.lo AND p.{quote(at.column)} < w.hi)"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                filled.update(n for (n,) in cursor.fetchall())
        return filled

    def between(self, trip: Trip) -> Callable[[float, float], bool]:
        """``reports_between`` of :func:`rules.check_v7_gaps` for one trip of the batch."""
        if self.whole.get(trip.pk) not in self.filled:
            return lambda a, b: True
        return lambda a, b: self.gap[trip.pk, a, b] in self.filled


def _v7_gaps(trips: list[Trip], book: RuleBook) -> dict[int, list]:
    """Each trip's route gaps by the V7 version in force for it (none when V7 is off)."""
    gaps: dict[int, list] = {}
    for trip in trips:
        version = book.get(Rule.V7, trip.vehicle.region.path, rules.local(trip.start_at).date())
        if version is not None:
            gaps[trip.pk] = rules.v7_gaps(trip_facts(trip), version.parameters)
    return gaps


def judge_trip(
    trip: Trip,
    *,
    book: RuleBook,
    areas: Areas,
    dispatches: list[NearDispatch],
    next_start: datetime.datetime | None,
    reports_between: Callable[[float, float], bool],
) -> list[tuple[Verdict, RuleVersion]]:
    """Every rule's verdict on one trip (findings and notes) with the version that judged it;
    everything it reads was read for the trip's batch beforehand."""
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
    near = sorted(
        (
            d
            for d in dispatches
            if d.start_at < trip.end_at + DISPATCH_WINDOW
            and d.until > trip.start_at - DISPATCH_WINDOW
        ),
        key=lambda d: d.start_at,
    )
    run(Rule.V1, lambda p: rules.check_v1(facts, p, day_status))
    run(Rule.V2, lambda p: rules.check_v2(facts, p, areas.for_region(vehicle.region)))
    run(Rule.V3, lambda p: rules.check_v3(facts, p))
    run(Rule.V4, lambda p: rules.check_v4(facts, p, [d.facts for d in near]))
    run(
        Rule.V5,
        lambda p: rules.check_v5(
            facts, next_start, p, designated, compound.name if compound else ""
        ),
    )
    run(Rule.V7, lambda p: rules.check_v7_gaps(facts, p, reports_between))
    return out


def _write(
    verdicts: list[tuple[Verdict, RuleVersion, Vehicle, Trip | None, FuelRecord | None, object]],
    outcome: Outcome,
) -> None:
    """Create the findings and notes not written before (one transaction; keys deduplicate)."""
    if not verdicts:
        return
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
        insert_objects(anomalies)
        insert_objects(notes)
        record_events(
            actor=None,
            entries=[
                ("anomaly.found", a, {"rule": a.rule, "summary": a.summary}) for a in anomalies
            ],
        )
    outcome.found += len(anomalies)
    outcome.noted += len(notes)


def scan_trips(trips: Iterable[Trip], outcome: Outcome | None = None, chunk: int = 2000) -> Outcome:
    """Judge closed trips by V1–V5 and V7 and write what is new, ``chunk`` trips at a time: each
    batch reads what its rules need in a fixed number of queries (one trip closing is a batch
    of one)."""
    outcome = outcome or Outcome()
    ids = sorted({t.pk for t in trips})
    book, areas = RuleBook(), Areas()
    vehicles: dict[int, Vehicle] = {}
    for i in range(0, len(ids), chunk):
        part = list(Trip.objects.filter(pk__in=ids[i : i + chunk], closed=True).only(*TRIP_FIELDS))
        _attach_vehicles(part, vehicles)
        dispatches = _dispatches_by_vehicle(part)
        next_starts = _next_starts(part)
        reports = RawReports(part, _v7_gaps(part, book))
        verdicts = []
        for trip in part:
            for verdict, version in judge_trip(
                trip,
                book=book,
                areas=areas,
                dispatches=dispatches.get(trip.vehicle_id, []),
                next_start=next_starts.get(trip.pk),
                reports_between=reports.between(trip),
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
