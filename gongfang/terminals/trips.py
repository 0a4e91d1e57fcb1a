"""Trips built incrementally from location reports.

A trip starts at the first report with ACC on or the car moving, and stays open while reports
come; it closes once the car has stood still (ACC off or speed below ``MOVING_KMH``) for
``close_after`` — the end is the last moving report — or when reports stop for that long (a
periodic ``sweep`` by wall clock). Distance is the sum of great-circle steps between located
reports; the route is simplified (Douglas-Peucker, ``SIMPLIFY_M``) when the trip closes.
``trip_closed`` is sent after the closing transaction commits.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from ..framework.bulk import update_values
from .models import Trip
from .signals import trip_closed

MOVING_KMH = 5.0
CLOSE_AFTER = datetime.timedelta(minutes=5)
SIMPLIFY_M = 15.0
EARTH_M = 6_371_000.0
# A step longer than this between two reports is a GNSS jump, not driving: not counted.
MAX_STEP_KMH = 250.0


@dataclass(frozen=True)
class Point:
    at: datetime.datetime
    lat: float
    lng: float
    speed: float = 0.0
    acc: bool = True
    located: bool = True
    terminal_id: int | None = None


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(a)))


def simplify(route: list[list[float]], tolerance_m: float = SIMPLIFY_M) -> list[list[float]]:
    """Douglas-Peucker on [lat, lng, epoch] points (equirectangular metres, fine for a city),
    keeping the first and last point and their times."""
    if len(route) < 3:
        return route
    lat0 = math.radians(route[0][0])
    xy = [(p[1] * 111_320 * math.cos(lat0), p[0] * 110_540) for p in route]
    keep = [False] * len(route)
    keep[0] = keep[-1] = True
    stack = [(0, len(route) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = xy[first], xy[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = -1.0, -1
        for i in range(first + 1, last):
            x, y = xy[i]
            d = (
                abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm
                if norm
                else math.hypot(x - x1, y - y1)
            )
            if d > worst:
                worst, index = d, i
        if worst > tolerance_m:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(route, keep, strict=True) if k]


@dataclass
class _Open:
    trip: Trip
    last: Point
    dirty: bool = True


def moving(point: Point) -> bool:
    return point.speed >= MOVING_KMH


def _new_trip(vehicle_id: int, point: Point) -> Trip:
    return Trip(
        vehicle_id=vehicle_id,
        terminal_id=point.terminal_id,
        start_at=point.at,
        end_at=point.at,
        start_lat=point.lat,
        start_lng=point.lng,
        end_lat=point.lat,
        end_lng=point.lng,
        max_speed=point.speed,
        route=[[point.lat, point.lng, int(point.at.timestamp())]],
        points=1,
        last_moving_at=point.at if moving(point) else None,
    )


def _extend(trip: Trip, last: Point, point: Point) -> None:
    if point.located and last.located:
        step = distance_m(last.lat, last.lng, point.lat, point.lng)
        hours = max((point.at - last.at).total_seconds(), 1) / 3600
        if step / 1000 / hours <= MAX_STEP_KMH:
            trip.distance_km += step / 1000
    trip.points += 1
    trip.max_speed = max(trip.max_speed, point.speed)
    if point.located:
        trip.route.append([point.lat, point.lng, int(point.at.timestamp())])
    if moving(point) or point.acc:
        trip.end_at, trip.end_lat, trip.end_lng = point.at, point.lat, point.lng
    if moving(point):
        trip.last_moving_at = point.at
    trip.duration_s = int((trip.end_at - trip.start_at).total_seconds())


def _close(trip: Trip) -> None:
    trip.closed = True
    trip.route = simplify(trip.route)
    trip.distance_km = round(trip.distance_km, 3)


class TripBuilder:
    """Open trips per vehicle, kept in memory and saved by ``save``.

    ``add`` takes a vehicle's reports in time order (older reports than the open trip's last,
    e.g. a 补报 batch, are not folded in: a rebuild of the day takes them).
    """

    def __init__(self, *, close_after: datetime.timedelta = CLOSE_AFTER) -> None:
        self.close_after = close_after
        self.open: dict[int, _Open] = {}
        self.closed: list[Trip] = []

    def load_open(self, vehicle_ids: Iterable[int] | None = None) -> None:
        """Resume the open trips saved by an earlier run."""
        qs = Trip.objects.filter(closed=False)
        if vehicle_ids is not None:
            qs = qs.filter(vehicle_id__in=list(vehicle_ids))
        for trip in qs:
            last = Point(trip.end_at, trip.end_lat, trip.end_lng, acc=True)
            self.open[trip.vehicle_id] = _Open(trip, last, dirty=False)

    def add(self, vehicle_id: int, point: Point) -> None:
        state = self.open.get(vehicle_id)
        if state is not None:
            if point.at <= state.last.at:
                return
            trip = state.trip
            still_since = trip.last_moving_at or trip.start_at
            gap = point.at - state.last.at
            if gap >= self.close_after or (
                not moving(point) and point.at - still_since >= self.close_after
            ):
                self._finish(vehicle_id)
                state = None
        if state is None:
            if not (point.acc or moving(point)):
                return
            self.open[vehicle_id] = _Open(_new_trip(vehicle_id, point), point)
            return
        _extend(state.trip, state.last, point)
        state.last, state.dirty = point, True

    def _finish(self, vehicle_id: int) -> None:
        state = self.open.pop(vehicle_id)
        trip = state.trip
        if trip.last_moving_at is None:
            # ACC on but the car never moved: no trip. Drop a saved one.
            if trip.pk:
                Trip.objects.filter(pk=trip.pk).delete()
            return
        # The trip ends where the car last moved (idling with ACC on after it is not driving).
        trip.end_at = trip.last_moving_at
        until = int(trip.end_at.timestamp())
        trip.route = [p for p in trip.route if p[2] <= until] or trip.route[:1]
        trip.end_lat, trip.end_lng = trip.route[-1][0], trip.route[-1][1]
        trip.duration_s = int((trip.end_at - trip.start_at).total_seconds())
        _close(trip)
        self.closed.append(trip)

    def sweep(self, *, now: datetime.datetime) -> None:
        """Close the trips of vehicles silent for ``close_after`` (wall clock of receipt)."""
        for vehicle_id, state in list(self.open.items()):
            if now - state.last.at >= self.close_after:
                self._finish(vehicle_id)

    def finish_all(self) -> None:
        for vehicle_id in list(self.open):
            self._finish(vehicle_id)

    def save(self, *, include_open: bool = True) -> list[Trip]:
        """Write closed trips (and, with ``include_open``, new and changed open ones) in one
        transaction; send ``trip_closed`` for the closed ones after commit."""
        closed, self.closed = self.closed, []
        pending = [s.trip for s in self.open.values() if s.dirty] if include_open else []
        rows = closed + pending
        if not rows:
            return []
        fields = [
            "end_at",
            "end_lat",
            "end_lng",
            "distance_km",
            "duration_s",
            "max_speed",
            "route",
            "points",
            "closed",
            "last_moving_at",
        ]
        with transaction.atomic():
            Trip.objects.bulk_create([t for t in rows if t.pk is None], batch_size=500)
            update_values(
                Trip,
                [Trip._meta.get_field(f) for f in fields],
                [[getattr(t, f) for f in fields] + [t.pk] for t in rows if t.pk is not None],
            )
            for trip in closed:
                transaction.on_commit(lambda t=trip: trip_closed.send(sender=Trip, trip=t))
        if include_open:
            for state in self.open.values():
                state.dirty = False
        return closed


def build_trips(vehicle_id: int, points: Iterable[Point], **kwargs) -> list[Trip]:
    """The closed trips of a run of reports (rebuild, demo): not saved."""
    builder = TripBuilder(**kwargs)
    for point in points:
        builder.add(vehicle_id, point)
    builder.finish_all()
    return builder.closed


def rebuild_day(vehicle, day: datetime.date) -> tuple[int, list[Trip]]:
    """Rebuild the vehicle's trips starting on ``day`` (local) from its positions.

    A rebuilt trip that overlaps a stored one takes over that row (its id, so the findings and
    dispatch links keyed by it stay with it); stored trips that no rebuilt trip overlaps are
    removed. Returns how many were removed, and the rebuilt trips."""
    from django.utils import timezone

    from .models import Position

    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    end = start + datetime.timedelta(days=1)
    rows = Position.objects.filter(
        vehicle_id=vehicle.pk, recorded_at__gte=start, recorded_at__lt=end
    ).order_by("recorded_at", "id")
    points = [
        Point(p.recorded_at, p.lat, p.lng, p.speed, p.acc, p.located, p.terminal_id) for p in rows
    ]
    trips = build_trips(vehicle.pk, points)
    with transaction.atomic():
        stored = {
            t.pk: t
            for t in Trip.objects.select_for_update().filter(
                vehicle_id=vehicle.pk, start_at__gte=start, start_at__lt=end
            )
        }
        for trip in trips:
            match = next(
                (
                    pk
                    for pk, old in stored.items()
                    if old.start_at <= trip.end_at and trip.start_at <= (old.end_at or old.start_at)
                ),
                None,
            )
            if match is not None:
                old = stored.pop(match)
                trip.pk, trip.created_at = old.pk, old.created_at
                trip.save(force_update=True)
        removed, _ = Trip.objects.filter(pk__in=list(stored)).delete()
        Trip.objects.bulk_create([t for t in trips if t.pk is None])
        for trip in trips:
            transaction.on_commit(lambda t=trip: trip_closed.send(sender=Trip, trip=t))
    return removed, trips
