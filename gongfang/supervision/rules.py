"""Anomaly rules V1–V7 as pure functions over plain trip-like facts (违规使用线索).

Each rule takes the facts it needs (dataclasses below, built by ``scan.py`` from the database or
by tests from tables) and its parameters (a version's ``parameters`` dict, see ``DEFAULTS``),
and answers a :class:`Verdict`: a finding with its Chinese explanation lines and figures, or a
note (a rule that could not decide, e.g. V1 on a day of a year not announced), or nothing.
The calendar and clock are passed in, so the rules stay testable without a database.
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import models

from ..framework.workdays import DayKind, DayStatus

LOCAL = ZoneInfo("Asia/Shanghai")


class Rule(models.TextChoices):
    V1 = "V1", "V1 节假日及周末用车"
    V2 = "V2", "V2 驶出本单位区域"
    V3 = "V3", "V3 非工作时间用车"
    V4 = "V4", "V4 无派车单出车"
    V5 = "V5", "V5 未按规定地点停放过夜"
    V6 = "V6", "V6 加油量明显超出里程"
    V7 = "V7", "V7 终端异常静默"


# Parameters of each rule: key -> (label, unit, default). The seeded national version holds the
# defaults; a bureau's edit saves a new version with its own values and source.
PARAMETERS: dict[str, dict[str, tuple[str, str, float]]] = {
    Rule.V1: {"min_distance_km": ("最短计入里程", "公里", 0.5)},
    Rule.V2: {"margin_km": ("区域外扩距离", "公里", 5.0)},
    Rule.V3: {"night_start_h": ("非工作时间开始", "时", 22.0), "night_end_h": ("结束", "时", 6.0)},
    Rule.V4: {"tolerance_min": ("派车时间容差", "分钟", 15.0)},
    Rule.V5: {"radius_m": ("定点停放半径", "米", 200.0), "night_h": ("过夜核查时刻", "时", 3.0)},
    Rule.V6: {
        "over_ratio": ("超出油耗定额比例", "比例", 0.30),
        "min_litres": ("最少加油量", "升", 10.0),
    },
    Rule.V7: {
        "silent_hours": ("长时间静默", "小时", 24.0),
        "gap_minutes": ("行驶中断点时长", "分钟", 10.0),
        "gap_km": ("行驶中断点距离", "公里", 2.0),
    },
}
DEFAULTS = {rule: {k: v[2] for k, v in params.items()} for rule, params in PARAMETERS.items()}


@dataclass(frozen=True)
class TripFacts:
    """What the rules read of a trip (times aware; coordinates WGS84)."""

    id: int
    vehicle_id: int
    start_at: datetime.datetime
    end_at: datetime.datetime
    start: tuple[float, float]
    end: tuple[float, float]
    distance_km: float
    route: Sequence[Sequence[float]] = ()  # [[lat, lng, epoch], ...]


@dataclass(frozen=True)
class DispatchFacts:
    id: int
    state: str
    state_label: str
    start_at: datetime.datetime
    end_at: datetime.datetime
    returned_at: datetime.datetime | None = None
    purpose: str = ""


@dataclass(frozen=True)
class Area:
    """A region's configured area: a bounding box, or a polygon of [lat, lng] points."""

    name: str
    bbox: tuple[float, float, float, float] | None = None  # south, west, north, east
    polygon: Sequence[Sequence[float]] = ()
    source: str = ""
    margin_km: float = 0.0  # the area's own margin (a default area is wider than its compounds)


@dataclass
class Verdict:
    rule: str
    key: str
    summary: str = ""
    lines: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)
    note: str = ""  # set instead of a finding when the rule could not decide

    @property
    def is_finding(self) -> bool:
        return not self.note


# Helpers ----------------------------------------------------------------------------------------
def local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(LOCAL)


def fmt(moment: datetime.datetime | None) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def day_text(status: DayStatus) -> str:
    """“2026-10-03 国庆节 法定节假日”, “2026-09-20 国庆节 调休上班日”, “2026-11-07 周末”."""
    names = {
        DayKind.HOLIDAY: "法定节假日",
        DayKind.MAKEUP_WORKDAY: "调休上班日",
        DayKind.WEEKEND: "周末",
        DayKind.WORKDAY: "工作日",
        DayKind.UNKNOWN: f"未知（{status.date.year}年节假日安排尚未公布）",
    }
    parts = [status.date.isoformat(), status.name, names[status.kind]]
    return " ".join(p for p in parts if p)


def haversine_m(a: Sequence[float], b: Sequence[float]) -> float:
    """Great-circle distance in metres between two [lat, lng] points."""
    lat1, lng1, lat2, lng2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def days_of(trip: TripFacts) -> list[datetime.date]:
    first, last = local(trip.start_at).date(), local(trip.end_at).date()
    return [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]


def trip_text(trip: TripFacts) -> str:
    return f"行程 {fmt(trip.start_at)}—{local(trip.end_at):%H:%M}，{trip.distance_km:.1f} 公里"


# V1 ---------------------------------------------------------------------------------------------
def check_v1(trip: TripFacts, params: dict, calendar: Callable[[datetime.date], DayStatus]):
    """Use on a rest day by the official calendar (调休 working Saturdays are working days); a
    day of a year not announced is not judged: a note says so."""
    if trip.distance_km < params.get("min_distance_km", 0):
        return None
    statuses = [calendar(day) for day in days_of(trip)]
    rest = [s for s in statuses if s.kind in (DayKind.HOLIDAY, DayKind.WEEKEND)]
    unknown = [s for s in statuses if s.kind == DayKind.UNKNOWN]
    key = f"V1:trip:{trip.id}"
    if rest:
        day = rest[0]
        return Verdict(
            Rule.V1,
            key,
            summary=f"{day_text(day)}用车",
            lines=[
                f"日历：{day_text(day)}（依据：{day.source or '节假日安排'}）",
                trip_text(trip),
            ],
            figures={"day": day.date.isoformat(), "day_kind": str(day.kind), "day_name": day.name},
        )
    if unknown:
        return Verdict(
            Rule.V1,
            key,
            note=f"{trip_text(trip)}：{day_text(unknown[0])}，不作节假日用车判断。",
        )
    return None


# V2 ---------------------------------------------------------------------------------------------
def point_in_polygon(point: Sequence[float], polygon: Sequence[Sequence[float]]) -> bool:
    lat, lng = point[0], point[1]
    inside = False
    n = len(polygon)
    for i in range(n):
        (y1, x1), (y2, x2) = polygon[i][:2], polygon[(i + 1) % n][:2]
        if (y1 > lat) != (y2 > lat) and lng < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def in_area(point: Sequence[float], area: Area, margin_km: float) -> bool:
    if area.polygon:
        if point_in_polygon(point, area.polygon):
            return True
        return (
            margin_km > 0 and min(haversine_m(point, v) for v in area.polygon) <= margin_km * 1000
        )
    if area.bbox is None:
        return True
    south, west, north, east = area.bbox
    dlat = margin_km / 111.0
    dlng = margin_km / (111.0 * max(math.cos(math.radians(point[0])), 0.01))
    return south - dlat <= point[0] <= north + dlat and west - dlng <= point[1] <= east + dlng


def check_v2(trip: TripFacts, params: dict, area: Area | None):
    """A trip with a point outside its organization's region area (plus a margin)."""
    if area is None:
        return None
    margin = max(params.get("margin_km", 0), area.margin_km)
    points = [p for p in trip.route] or [trip.start, trip.end]
    outside = [p for p in [*points, trip.end] if not in_area(p, area, margin)]
    if not outside:
        return None
    far = outside[0]
    return Verdict(
        Rule.V2,
        f"V2:trip:{trip.id}",
        summary=f"驶出{area.name}范围",
        lines=[
            trip_text(trip),
            f"区域：{area.name}（{area.source or '区域设置'}），外扩 {margin:g} 公里",
            f"区域外位置：纬度 {far[0]:.5f}，经度 {far[1]:.5f}（共 {len(outside)} 个点在区域外）",
        ],
        figures={"outside_points": len(outside), "lat": far[0], "lng": far[1]},
    )


# V3 ---------------------------------------------------------------------------------------------
def _night_overlap(trip: TripFacts, start_h: float, end_h: float) -> datetime.timedelta:
    """Time of the trip inside the nightly window [start_h, end_h) (across midnight)."""
    total = datetime.timedelta()
    a, b = local(trip.start_at), local(trip.end_at)
    day = a.date() - datetime.timedelta(days=1)
    while day <= b.date():
        night_a = datetime.datetime.combine(day, datetime.time(), LOCAL) + datetime.timedelta(
            hours=start_h
        )
        night_b = datetime.datetime.combine(
            day + datetime.timedelta(days=1 if end_h <= start_h else 0), datetime.time(), LOCAL
        ) + datetime.timedelta(hours=end_h)
        lo, hi = max(a, night_a), min(b, night_b)
        if hi > lo:
            total += hi - lo
        day += datetime.timedelta(days=1)
    return total


def check_v3(trip: TripFacts, params: dict):
    start_h, end_h = params.get("night_start_h", 22), params.get("night_end_h", 6)
    overlap = _night_overlap(trip, start_h, end_h)
    if overlap <= datetime.timedelta():
        return None
    minutes = round(overlap.total_seconds() / 60)
    window = f"{int(start_h):02d}:{round(start_h % 1 * 60):02d}—{int(end_h):02d}:{round(end_h % 1 * 60):02d}"
    return Verdict(
        Rule.V3,
        f"V3:trip:{trip.id}",
        summary=f"非工作时间（{window}）用车 {minutes} 分钟",
        lines=[trip_text(trip), f"非工作时间 {window} 内行驶 {minutes} 分钟"],
        figures={"night_minutes": minutes, "window": window},
    )


# V4 ---------------------------------------------------------------------------------------------
COVERING_STATES = ("approved", "assigned", "departed", "returned")


def check_v4(trip: TripFacts, params: dict, dispatches: Sequence[DispatchFacts]):
    """No approved dispatch of this car whose time (with the tolerance) covers the trip; the
    explanation names the dispatches looked at and why none matched."""
    tolerance = datetime.timedelta(minutes=params.get("tolerance_min", 15))
    why: list[str] = []
    for d in dispatches:
        end = max(d.end_at, d.returned_at or d.end_at)
        if d.state not in COVERING_STATES:
            why.append(
                f"派车单 {d.id}（{fmt(d.start_at)}—{fmt(end)}）状态为{d.state_label}，未获批准"
            )
            continue
        if d.start_at - tolerance <= trip.start_at and trip.end_at <= end + tolerance:
            return None
        why.append(
            f"派车单 {d.id}（{fmt(d.start_at)}—{fmt(end)}，{d.state_label}）时间未覆盖本次行程"
        )
    looked = f"查找范围：本车行程前后的派车单（容差 {tolerance.seconds // 60} 分钟）"
    return Verdict(
        Rule.V4,
        f"V4:trip:{trip.id}",
        summary="无经批准的派车单",
        lines=[trip_text(trip), looked, *(why or ["本车当日前后没有任何派车单"])],
        figures={"dispatches_seen": [d.id for d in dispatches]},
    )


# V5 ---------------------------------------------------------------------------------------------
def check_v5(
    trip: TripFacts,
    next_start: datetime.datetime | None,
    params: dict,
    designated: tuple[float, float] | None,
    designated_name: str = "",
):
    """The car stood overnight (through ``night_h`` o'clock after the trip) farther than the
    radius from its designated compound."""
    if designated is None:
        return None
    end = local(trip.end_at)
    check_at = datetime.datetime.combine(end.date(), datetime.time(), LOCAL) + datetime.timedelta(
        hours=params.get("night_h", 3)
    )
    if check_at <= end:
        check_at += datetime.timedelta(days=1)
    if next_start is not None and next_start <= check_at:
        return None
    distance = haversine_m(trip.end, designated)
    radius = params.get("radius_m", 200)
    if distance <= radius:
        return None
    return Verdict(
        Rule.V5,
        f"V5:trip:{trip.id}",
        summary=f"过夜停放点距定点停放院落 {distance:,.0f} 米",
        lines=[
            trip_text(trip),
            f"{check_at:%Y-%m-%d %H:%M} 车辆停在纬度 {trip.end[0]:.5f}，经度 {trip.end[1]:.5f}",
            f"定点停放院落：{designated_name or '—'}，距离 {distance:,.0f} 米（允许 {radius:g} 米）",
        ],
        figures={"distance_m": round(distance), "radius_m": radius},
    )


# V6 ---------------------------------------------------------------------------------------------
def check_v6(
    *,
    record_id: int,
    filled_on: datetime.date,
    litres: float,
    since: datetime.date | None,
    distance_km: float,
    norm_l_per_100km: float | None,
    params: dict,
):
    """Fuel bought at one fill against what the trips since the previous fill burned by the
    car's norm: more than (1 + ratio) × expected is a finding."""
    if not norm_l_per_100km or litres < params.get("min_litres", 0):
        return None
    expected = distance_km * norm_l_per_100km / 100
    ratio = params.get("over_ratio", 0.3)
    if litres <= expected * (1 + ratio):
        return None
    over = (litres / expected - 1) if expected else None
    period = f"{since:%Y-%m-%d} 至 {filled_on:%Y-%m-%d}" if since else f"截至 {filled_on:%Y-%m-%d}"
    return Verdict(
        Rule.V6,
        f"V6:fuel:{record_id}",
        summary=f"加油 {litres:.1f} 升，里程仅需约 {expected:.1f} 升",
        lines=[
            f"{filled_on:%Y-%m-%d} 加油 {litres:.2f} 升",
            f"{period} 行程里程 {distance_km:.1f} 公里 × 油耗定额 {norm_l_per_100km:g} 升/百公里"
            f" = {expected:.1f} 升",
            "超出 "
            + (f"{over:.0%}" if over is not None else "（无行驶里程）")
            + f"（允许 {ratio:.0%}）",
        ],
        figures={"litres": litres, "expected": round(expected, 2), "distance_km": distance_km},
    )


# V7 ---------------------------------------------------------------------------------------------
def v7_gaps(trip: TripFacts, params: dict) -> list[tuple[Sequence[float], Sequence[float]]]:
    """The route's consecutive points far apart in time and place (``gap_minutes``, ``gap_km``):
    the candidates of V7, which the scan checks against raw reports all at once."""
    gap_s = params.get("gap_minutes", 10) * 60
    gap_m = params.get("gap_km", 2) * 1000
    return [
        (a, b)
        for a, b in itertools.pairwise(trip.route)
        if b[2] - a[2] >= gap_s and haversine_m(a, b) >= gap_m
    ]


def check_v7_gaps(
    trip: TripFacts,
    params: dict,
    reports_between: Callable[[float, float], bool] | None = None,
):
    """The terminal fell silent during the trip: consecutive route points far apart in time and
    place. The route is simplified, so a long straight stretch also leaves such a pair:
    ``reports_between(epoch_a, epoch_b)`` says whether raw reports lie between them (then it is
    no silence); without it every such pair counts."""
    for a, b in v7_gaps(trip, params):
        if reports_between is not None and reports_between(a[2], b[2]):
            continue
        start = datetime.datetime.fromtimestamp(a[2], LOCAL)
        end = datetime.datetime.fromtimestamp(b[2], LOCAL)
        km = haversine_m(a, b) / 1000
        minutes = round((b[2] - a[2]) / 60)
        return Verdict(
            Rule.V7,
            f"V7:trip:{trip.id}",
            summary=f"行驶中终端静默 {minutes} 分钟",
            lines=[
                trip_text(trip),
                f"{start:%H:%M}—{end:%H:%M} 无定位上报 {minutes} 分钟，其间车辆移动 {km:.1f} 公里",
            ],
            figures={"silent_minutes": minutes, "moved_km": round(km, 2)},
        )
    return None


def check_v7_silent(
    *,
    vehicle_id: int,
    last_seen: datetime.datetime | None,
    now: datetime.datetime,
    params: dict,
):
    """A bound terminal of a car in use that has not reported for ``silent_hours``."""
    hours = params.get("silent_hours", 24)
    if last_seen is None or now - last_seen < datetime.timedelta(hours=hours):
        return None
    silent = (now - last_seen).total_seconds() / 3600
    return Verdict(
        Rule.V7,
        f"V7:silent:{vehicle_id}:{local(last_seen):%Y%m%d%H%M}",
        summary=f"终端已 {silent:.0f} 小时未上报",
        lines=[
            f"最近一次上报 {fmt(last_seen)}，至 {fmt(now)} 已 {silent:.0f} 小时（允许 {hours:g} 小时）"
        ],
        figures={"silent_hours": round(silent, 1)},
    )
