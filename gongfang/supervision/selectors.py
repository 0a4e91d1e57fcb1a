"""Reads of supervision: counts for the charts, the fleet map's points, a vehicle-day's playback."""

from __future__ import annotations

import datetime
from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from ..framework.maps import tiles
from ..terminals.models import LastPosition, Trip
from ..vehicles.models import Vehicle
from .models import Anomaly, AnomalyState
from .rules import LOCAL, Rule, local

AXIS_LABEL = {"width": 160, "overflow": "truncate"}
RULE_COLORS = ["#d63939", "#f76707", "#f59f00", "#ae3ec9", "#4263eb", "#0ca678", "#667382"]
MAX_ORGANIZATIONS = 25
MOVING_KMH = 5


def list_url(**params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse("supervision:anomaly_list") + ("?" + urlencode(params) if params else "")


def counts(user, *, month: str = "") -> dict[tuple[int, str], int]:
    """Findings in scope per (organization id, rule)."""
    from .filtersets import month_bounds

    qs = Anomaly.objects.restrict(user, "view")
    if month:
        first, following = month_bounds(month)
        qs = qs.filter(occurred_at__gte=first, occurred_at__lt=following)
    rows = qs.order_by().values("organization", "rule").annotate(n=Count("pk"))
    return {(r["organization"], r["rule"]): r["n"] for r in rows}


def counts_chart(user, *, month: str = "") -> dict:
    """Stacked bars: findings per organization by rule; a segment opens the filtered list."""
    from ..registry.models import Organization

    figures = counts(user, month=month)
    per_org: dict[int, int] = defaultdict(int)
    for (org, _), n in figures.items():
        per_org[org] += n
    org_ids = sorted(per_org, key=lambda o: -per_org[o])[:MAX_ORGANIZATIONS]
    names = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    series, links = [], {}
    for i, (rule, label) in enumerate(Rule.choices):
        series.append(
            {
                "type": "bar",
                "stack": "all",
                "name": label,
                "color": RULE_COLORS[i],
                "data": [figures.get((o, rule), 0) or None for o in org_ids],
            }
        )
        links[str(i)] = [list_url(organization=o, rule=rule, month=month) for o in org_ids]
    return {
        "option": {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "legend": {"type": "scroll", "top": 0},
            "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "value", "minInterval": 1},
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [names.get(o, "") for o in org_ids],
                "axisLabel": AXIS_LABEL,
            },
            "series": series,
        },
        "links": links,
    }


def rule_totals(user, *, month: str = "") -> list[dict]:
    """Per rule: open and all findings, with links to the list."""
    figures = counts(user, month=month)
    qs = Anomaly.objects.restrict(user, "view").filter(state=AnomalyState.OPEN)
    if month:
        from .filtersets import month_bounds

        first, following = month_bounds(month)
        qs = qs.filter(occurred_at__gte=first, occurred_at__lt=following)
    open_by_rule = dict(
        qs.order_by().values("rule").annotate(n=Count("pk")).values_list("rule", "n")
    )
    return [
        {
            "rule": rule,
            "label": label,
            "total": sum(n for (_, r), n in figures.items() if r == rule),
            "open": open_by_rule.get(rule, 0),
            "url": list_url(rule=rule, month=month),
        }
        for rule, label in Rule.choices
    ]


def fleet_points(user) -> list[dict]:
    """The last position of every vehicle in scope, coloured by movement and open findings."""
    vehicles = Vehicle.objects.restrict(user, "view")
    open_ids = set(
        Anomaly.objects.restrict(user, "view")
        .filter(state=AnomalyState.OPEN)
        .values_list("vehicle_id", flat=True)
        .distinct()
    )
    points = []
    # The list under the map: what needs a look first, then who is on the road, newest first.
    for p in (
        LastPosition.objects.filter(vehicle__in=vehicles.values("pk"))
        .select_related("vehicle__organization")
        .order_by("-recorded_at")
    ):
        v = p.vehicle
        moving = p.speed >= MOVING_KMH
        flagged = v.pk in open_ids
        points.append(
            {
                "lat": p.lat,
                "lng": p.lng,
                "label": f"{v.plate} {v.organization.name} · {local(p.recorded_at):%m-%d %H:%M}"
                + (f" · {p.speed:.0f} km/h" if moving else " · 停驶")
                + (" · 有待核实异常" if flagged else ""),
                "color": "#d63939" if flagged else ("#2fb344" if moving else "#4263eb"),
                "badge": "red" if flagged else ("green" if moving else "blue"),
                "rank": 2 if flagged else (1 if moving else 0),
                "url": reverse("supervision:playback", args=[v.pk])
                + f"?day={local(p.recorded_at):%Y-%m-%d}",
            }
        )
    points.sort(key=lambda p: -p["rank"])  # stable: newest first within each rank
    return points


def fleet_spec(user) -> dict:
    points = fleet_points(user)
    return {
        "points": points,
        "cluster": len(points) > 50,
        "tracks": [],
        "labels": [],
        "boundaries": None,
        "legend": [
            {"color": "#d63939", "label": "有待核实异常"},
            {"color": "#2fb344", "label": "行驶中"},
            {"color": "#4263eb", "label": "停驶"},
        ],
        "bounds": None,
        "tiles": tiles(),
    }


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time(), LOCAL)
    return start, start + datetime.timedelta(days=1)


def playback(vehicle: Vehicle, day: datetime.date, user) -> dict:
    """A vehicle's day: its trips (each a track with times for the slider), their findings
    marked at the trips' starts, and the designated compound."""
    start, end = day_bounds(day)
    trips = list(
        Trip.objects.filter(vehicle=vehicle, start_at__lt=end, end_at__gte=start).order_by(
            "start_at", "pk"
        )
    )
    anomalies = list(
        Anomaly.objects.restrict(user, "view")
        .filter(vehicle=vehicle, occurred_at__gte=start, occurred_at__lt=end)
        .order_by("occurred_at")
    )
    by_trip: dict[int, list[Anomaly]] = defaultdict(list)
    for a in anomalies:
        if a.trip_id:
            by_trip[a.trip_id].append(a)
    colors = ["#206bc4", "#2fb344", "#f76707", "#ae3ec9", "#0ca678", "#4263eb"]
    tracks, points = [], []
    for i, t in enumerate(trips):
        route = t.route or [
            [t.start_lat, t.start_lng, t.start_at.timestamp()],
            [t.end_lat, t.end_lng, t.end_at.timestamp()],
        ]
        flagged = bool(by_trip.get(t.pk))
        tracks.append(
            {
                "coords": [[p[0], p[1]] for p in route],
                "times": [int(p[2]) for p in route],
                "color": "#d63939" if flagged else colors[i % len(colors)],
                "label": f"{local(t.start_at):%H:%M}—{local(t.end_at):%H:%M} {t.distance_km:.1f} 公里",
            }
        )
        for a in by_trip.get(t.pk, []):
            points.append(
                {
                    "lat": t.start_lat,
                    "lng": t.start_lng,
                    "label": f"{a.rule} {a.summary}",
                    "color": "#d63939",
                    "rank": 2,
                    "url": a.get_absolute_url(),
                }
            )
    compound = vehicle.parking_compound
    if compound is not None and compound.lat is not None:
        points.append(
            {
                "lat": float(compound.lat),
                "lng": float(compound.lng),
                "label": f"定点停放：{compound.name}",
                "color": "#667382",
                "rank": 0,
            }
        )
    spec = {
        "points": points,
        "cluster": False,
        "tracks": tracks,
        "labels": [],
        "boundaries": None,
        "legend": [
            {"color": "#d63939", "label": "有异常的行程及异常"},
            {"color": "#667382", "label": "定点停放院落"},
        ],
        "bounds": None,
        "tiles": tiles(),
    }
    rows = [(t, by_trip.get(t.pk, [])) for t in trips]
    return {"trips": trips, "rows": rows, "anomalies": anomalies, "spec": spec}


def vehicle_days(
    vehicle: Vehicle, around: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """The days before and after ``around`` on which the vehicle made a trip (for paging)."""
    start, end = day_bounds(around)
    before = Trip.objects.filter(vehicle=vehicle, start_at__lt=start).order_by("-start_at").first()
    after = Trip.objects.filter(vehicle=vehicle, start_at__gte=end).order_by("start_at").first()
    return (
        local(before.start_at).date() if before else None,
        local(after.start_at).date() if after else None,
    )
