"""The terminals' part of the demo city: a terminal on every vehicle that has one registered,
a few unknown terminals for the bureau to bind, the month of trips behind the returned
dispatches (from the parking compound to the destination and back), full positions for a few
cars, last positions for the map, and the planted anomalies supervision should find:

* a weekend / holiday trip without a dispatch;
* a trip at 23:00 without a dispatch;
* a dispatched trip that leaves the region (to Jinan);
* an overnight stay away from the designated compound (the car parked 6 km away);
* a terminal silent while the car moved (a 40-minute gap, 25 km further on), and a terminal
  silent for three days.
"""

from __future__ import annotations

import datetime
import itertools
import math
import random
import time

from django.db import transaction
from django.utils import timezone

from ..framework import clock
from ..framework.bulk import insert_objects
from ..framework.workdays import is_workday
from ..vehicles.choices import DispatchState, VehicleStatus
from ..vehicles.models import Dispatch, Vehicle
from .ingest import Row, write_positions
from .models import LastPosition, Position, Terminal, TerminalState, Trip
from .partitions import ensure_months
from .simulator import reports_from_route
from .trips import distance_m

LABEL = "车载终端与行程"
FULL_POSITION_CARS = 4
STEP_MIN = 4
UNKNOWN_TERMINALS = 3
JINAN = (36.6512, 117.1201)
ZAOZHUANG = (34.8107, 117.3237)
# What the planted trips are called in the report (and in CONTRACT.md).
PLANTED = {
    "holiday": "节假日无派车出行",
    "night": "23:00 夜间出行",
    "outside": "驶出辖区（至济南）",
    "overnight": "未回定点院落过夜",
    "silent_moving": "行驶中终端静默",
    "silent_long": "终端长时间静默",
}


def existing() -> dict[str, int]:
    counts = {model._meta.verbose_name: model.objects.count() for model in (Terminal, Trip)}
    return {name: n for name, n in counts.items() if n}


def flush() -> int:
    deleted = Position.objects.all().delete()[0]
    for model in (LastPosition, Trip, Terminal):
        deleted += model.objects.all().delete()[0]
    return deleted


def _home(vehicle: Vehicle) -> tuple[float, float]:
    c = vehicle.parking_compound
    if c is not None and c.lat is not None and c.lng is not None:
        return float(c.lat), float(c.lng)
    return ZAOZHUANG


def _offset(origin, km: float, bearing_deg: float) -> tuple[float, float]:
    lat, lng = origin
    rad = math.radians(bearing_deg)
    return (
        lat + km * math.cos(rad) / 110.54,
        lng + km * math.sin(rad) / (111.32 * math.cos(math.radians(lat))),
    )


def _leg(rng, a, b, start: datetime.datetime, kmh: float) -> list[list[float]]:
    """A route from a to b with a few bends at about ``kmh``: a point every ``STEP_MIN``
    minutes, as a simplified route keeps (the simulator fills in reports between)."""
    km = distance_m(*a, *b) / 1000 * 1.25
    minutes = max(STEP_MIN, round(km / kmh * 60))
    steps = max(2, minutes // STEP_MIN)
    t0 = int(start.timestamp())
    points = []
    for k in range(steps + 1):
        f = k / steps
        bend = math.sin(f * math.pi) * 0.01 * rng.uniform(-1, 1)
        points.append(
            [
                round(a[0] + (b[0] - a[0]) * f + bend, 6),
                round(a[1] + (b[1] - a[1]) * f - bend, 6),
                t0 + round(60 * minutes * f),
            ]
        )
    return points


def _trip(vehicle_id: int, terminal, route) -> Trip:
    distance = sum(distance_m(p[0], p[1], q[0], q[1]) for p, q in itertools.pairwise(route))
    start = datetime.datetime.fromtimestamp(route[0][2], datetime.UTC)
    end = datetime.datetime.fromtimestamp(route[-1][2], datetime.UTC)
    steps = [
        distance_m(p[0], p[1], q[0], q[1]) / max(q[2] - p[2], 1) * 3.6
        for p, q in itertools.pairwise(route)
    ]
    return Trip(
        vehicle_id=vehicle_id,
        terminal=terminal,
        start_at=start,
        end_at=end,
        start_lat=route[0][0],
        start_lng=route[0][1],
        end_lat=route[-1][0],
        end_lng=route[-1][1],
        distance_km=round(distance / 1000, 3),
        duration_s=int((end - start).total_seconds()),
        max_speed=round(max(steps or [0]), 1),
        route=route,
        points=len(route),
        closed=True,
        last_moving_at=end,
    )


def _round_trip(rng, vehicle, start, out_to, *, stay_min: int = 60):
    home = _home(vehicle)
    there = _leg(rng, home, out_to, start, 40)
    back_start = datetime.datetime.fromtimestamp(there[-1][2], datetime.UTC) + datetime.timedelta(
        minutes=stay_min
    )
    back = _leg(rng, out_to, home, back_start, 40)
    return [there, back]


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def build(run) -> None:
    started = time.perf_counter()
    rng = random.Random(f"terminals-{run.seed}")
    today = clock.today()
    ensure_months(today - datetime.timedelta(days=40), today + datetime.timedelta(days=62))
    vehicles = list(
        Vehicle.objects.filter(status=VehicleStatus.IN_USE)
        .exclude(terminal="")
        .select_related("parking_compound")
        .order_by("pk")
    )
    terminals = [
        Terminal(
            phone=v.terminal.lstrip("0"),
            vehicle=v,
            region_id=v.region_id,
            state=TerminalState.BOUND,
            protocol=2019 if i % 5 == 0 else 2013,
            manufacturer="BDS",
            terminal_model="GF-808",
            device_id=f"{v.pk:07d}",
            reported_plate=v.plate,
            plate_color=1,
            auth_code=f"demo{v.pk:08d}",
        )
        for i, v in enumerate(vehicles)
    ]
    # The unknown terminals register from the county whose bureau the demo's bureau account
    # runs, so its 待绑定终端 list is not empty.
    bureau = run.users.get("tz_bureau")
    root = getattr(bureau, "scope_region_id", None) or (vehicles[0].region_id if vehicles else None)
    unknown = [
        Terminal(
            phone=f"1990000{k:04d}",
            region_id=root,
            state=TerminalState.UNBOUND,
            manufacturer="XYZ",
            terminal_model="T-808",
            reported_plate=f"鲁D9{k:04d}",
            refused_count=rng.randint(2, 40),
            province_code="37",
            city_code="0400",
            registered_at=seen,
            last_seen_at=seen,
        )
        for k, seen in enumerate(
            (
                timezone.now() - datetime.timedelta(hours=rng.randint(1, 60))
                for _ in range(UNKNOWN_TERMINALS)
            ),
            1,
        )
        if root
    ]
    with transaction.atomic():
        Terminal.objects.bulk_create(terminals + unknown, batch_size=2000)
    by_vehicle = {t.vehicle_id: t for t in terminals}

    dispatches = (
        Dispatch.objects.filter(
            state=DispatchState.RETURNED, vehicle_id__in=list(by_vehicle), departed_at__isnull=False
        )
        .select_related("vehicle__parking_compound")
        .order_by("start_at")
    )
    routes: dict[int, list[list[list[float]]]] = {}
    for d in dispatches:
        v = d.vehicle
        end = d.returned_at or d.end_at
        span = (end - d.departed_at).total_seconds() / 60
        stay = max(10, int(span * 0.4))
        out_to = _offset(_home(v), rng.uniform(3, 18), rng.uniform(0, 360))
        start = d.departed_at + datetime.timedelta(minutes=rng.randint(0, 10))
        routes.setdefault(v.pk, []).extend(_round_trip(rng, v, start, out_to, stay_min=stay))

    planted = _plant(rng, today, vehicles, by_vehicle, routes)
    trips = [_trip(v, by_vehicle[v], r) for v, rs in routes.items() for r in rs]
    silent_vehicle, first, second = planted.pop("_silent")
    trips.append(_trip(silent_vehicle, by_vehicle[silent_vehicle], first + second))
    with transaction.atomic():
        insert_objects(trips)
        positions = _positions(vehicles, by_vehicle, routes, silent_vehicle, (first, second))
        last = _last_positions(vehicles, by_vehicle, routes, planted)
    run.rows += len(terminals) + len(unknown) + len(trips) + positions + last
    lines = [
        f"车载终端：{len(terminals):,} 台已绑定，{len(unknown)} 台待绑定",
        f"行程：{len(trips):,} 条；定位点：{positions:,} 条（{FULL_POSITION_CARS} 辆车全量）",
    ]
    lines += [f"预置线索·{PLANTED[k]}：{plate}" for k, plate in planted.items()]
    run.section(LABEL, lines)
    run.timings.append(f"车载终端 {time.perf_counter() - started:.1f} 秒")


def _plant(rng, today, vehicles, by_vehicle, routes) -> dict:
    """The anomalies supervision must find; returns {kind: plate}, plus the silent trip."""
    fleet = [v for v in vehicles if v.pk in by_vehicle][:12]
    if len(fleet) < 6:
        fleet = (fleet * 6)[:6]
    days = [today - datetime.timedelta(days=k) for k in range(2, 30)]
    offday = next((d for d in days if not is_workday(d)), days[0])
    workday = next((d for d in days[3:] if is_workday(d)), days[3])
    planted: dict = {}

    v = fleet[0]
    routes.setdefault(v.pk, []).extend(
        _round_trip(rng, v, _local(offday, 10, 5), _offset(_home(v), 12, 40))
    )
    planted["holiday"] = f"{v.plate}（{offday:%m月%d日}）"

    v = fleet[1]
    routes.setdefault(v.pk, []).extend(
        _round_trip(rng, v, _local(workday, 23, 0), _offset(_home(v), 6, 200), stay_min=15)
    )
    planted["night"] = f"{v.plate}（{workday:%m月%d日} 23:00）"

    v = fleet[2]
    d = (
        Dispatch.objects.filter(vehicle=v, state=DispatchState.RETURNED)
        .order_by("-start_at")
        .first()
    )
    start = (
        d.departed_at if d and d.departed_at else _local(workday - datetime.timedelta(days=1), 8)
    )
    routes.setdefault(v.pk, []).extend(
        _round_trip(rng, v, start + datetime.timedelta(minutes=5), JINAN, stay_min=90)
    )
    planted["outside"] = f"{v.plate}（{timezone.localtime(start):%m月%d日}，至济南）"

    v = fleet[3]
    evening = _local(workday - datetime.timedelta(days=2), 18, 10)
    away = _offset(_home(v), 6, 120)
    there = _leg(rng, _home(v), away, evening, 35)
    back = _leg(rng, away, _home(v), evening + datetime.timedelta(hours=14), 35)
    routes.setdefault(v.pk, []).extend([there, back])
    planted["overnight"] = f"{v.plate}（{timezone.localtime(evening):%m月%d日}夜）"

    v = fleet[4]
    start = _local(workday - datetime.timedelta(days=3), 9, 30)
    first = _leg(rng, _home(v), _offset(_home(v), 8, 60), start, 40)
    gap_end = first[-1][2] + 40 * 60
    later_from = _offset(_home(v), 33, 60)
    second = _leg(
        rng, later_from, _home(v), datetime.datetime.fromtimestamp(gap_end, datetime.UTC), 55
    )
    planted["silent_moving"] = f"{v.plate}（{timezone.localtime(start):%m月%d日}，静默 40 分钟）"
    planted["_silent"] = (v.pk, first, second)

    v = fleet[5]
    planted["silent_long"] = f"{v.plate}（3 天无数据）"
    planted["_silent_long"] = v.pk
    return planted


def _positions(vehicles, by_vehicle, routes, silent_vehicle, silent_legs) -> int:
    """Full positions (one report every 30 s) for a few cars, including the silent one."""
    chosen = [v.pk for v in vehicles if v.pk in routes][: FULL_POSITION_CARS - 1]
    chosen.append(silent_vehicle)
    now = timezone.now()
    rows: list[Row] = []
    for pk in chosen:
        terminal = by_vehicle[pk]
        legs = [(leg, True) for leg in routes.get(pk, [])]
        if pk == silent_vehicle:  # no parking reports where the terminal fell silent
            legs += [(silent_legs[0], False), (silent_legs[1], True)]
        mileage = 40_000.0 + pk
        for leg, park in sorted(legs, key=lambda item: item[0][0][2]):
            for loc in reports_from_route(leg, mileage_km=mileage, park=park):
                rows.append(
                    Row(
                        terminal.pk,
                        pk,
                        loc.time,
                        now,
                        loc.lat,
                        loc.lng,
                        loc.altitude,
                        loc.speed,
                        loc.direction,
                        0,
                        loc.status,
                        loc.acc,
                        True,
                        loc.mileage_km,
                        None,
                        False,
                    )
                )
            mileage = rows[-1].mileage_km or mileage
    # The silent car's route has no report in its 40-minute gap: none is written for it.
    write_positions(rows)
    return len(rows)


def _last_positions(vehicles, by_vehicle, routes, planted) -> int:
    now = timezone.now()
    rows = []
    for v in vehicles:
        terminal = by_vehicle.get(v.pk)
        legs = routes.get(v.pk)
        if terminal is None:
            continue
        if legs:
            lat, lng, epoch = max((leg[-1] for leg in legs), key=lambda p: p[2])
            at = max(
                datetime.datetime.fromtimestamp(epoch, datetime.UTC),
                now - datetime.timedelta(hours=2),
            )
        else:
            (lat, lng), at = _home(v), now - datetime.timedelta(minutes=5)
        if v.pk == planted.get("_silent_long"):
            at = now - datetime.timedelta(days=3)
        rows.append(
            LastPosition(
                terminal=terminal,
                vehicle_id=v.pk,
                recorded_at=at,
                received_at=at,
                lat=lat,
                lng=lng,
                speed=0,
                direction=0,
                acc=False,
                alarm=0,
            )
        )
        terminal.last_seen_at = at
    planted.pop("_silent_long", None)
    LastPosition.objects.bulk_create(rows, batch_size=2000)
    Terminal.objects.bulk_update([r.terminal for r in rows], ["last_seen_at"], batch_size=2000)
    return len(rows)
