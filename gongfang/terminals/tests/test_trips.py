"""Trips built from reports: start on ACC/movement, close after standing still or silence,
distance, simplified route, the trip_closed signal, the rebuild of a day, and the demo part."""

from __future__ import annotations

import datetime

import pytest

from ..models import Position, Trip
from ..signals import trip_closed
from ..trips import CLOSE_AFTER, Point, TripBuilder, build_trips, distance_m, rebuild_day, simplify
from .helpers import START, bound_terminal

MIN = datetime.timedelta(minutes=1)


def drive(start, minutes, *, lat=34.8, lng=117.3, kmh=36.0, acc=True):
    """One report a minute moving north at ``kmh``."""
    step = kmh / 60 / 110.574  # degrees of latitude a minute
    return [Point(start + k * MIN, lat + k * step, lng, kmh, acc) for k in range(minutes + 1)]


def parked(at, minutes, lat, lng, *, acc=False):
    return [Point(at + k * MIN, lat, lng, 0.0, acc) for k in range(1, minutes + 1)]


def test_distance_is_great_circle():
    assert distance_m(34.0, 117.0, 35.0, 117.0) == pytest.approx(111_195, rel=1e-3)


def test_one_trip_closes_after_standing_still():
    moving = drive(START, 30)
    end = moving[-1]
    (trip,) = build_trips(1, moving + parked(end.at, 10, end.lat, end.lng))
    assert trip.closed and trip.start_at == START and trip.end_at == end.at
    assert trip.duration_s == 30 * 60
    assert trip.distance_km == pytest.approx(18.0, rel=0.01)  # 30 min at 36 km/h
    assert trip.max_speed == 36.0 and trip.points >= 31
    assert trip.route[0][:2] == [moving[0].lat, moving[0].lng] and len(trip.route) == 2


def test_short_stop_keeps_one_trip_long_stop_splits():
    a = drive(START, 10)
    stop = parked(a[-1].at, 3, a[-1].lat, a[-1].lng, acc=True)  # at a light, ACC on
    b = drive(stop[-1].at + MIN, 10, lat=a[-1].lat)
    long_stop = parked(b[-1].at, 20, b[-1].lat, b[-1].lng)
    c = drive(long_stop[-1].at + MIN, 5, lat=b[-1].lat)
    trips = build_trips(1, a + stop + b + long_stop + c)
    assert len(trips) == 2
    assert trips[0].end_at == b[-1].at and trips[1].start_at == c[0].at


def test_silence_closes_the_trip_and_acc_without_moving_is_no_trip():
    a = drive(START, 10)
    later = drive(a[-1].at + CLOSE_AFTER + MIN, 5)
    idle = parked(later[-1].at + datetime.timedelta(hours=1), 30, 34.0, 117.0, acc=True)
    trips = build_trips(1, a + later + idle)
    assert len(trips) == 2


def test_gnss_jump_is_not_driven():
    points = drive(START, 10)
    jump = Point(points[-1].at + MIN, 39.9, 116.4, 40.0)  # Beijing a minute later
    (trip,) = build_trips(1, [*points, jump, *parked(jump.at, 10, 39.9, 116.4)])
    assert trip.distance_km < 10


def test_simplify_keeps_corners_and_ends():
    route = [[34.8 + 0.001 * k, 117.3, k] for k in range(10)]
    route += [[34.809, 117.3 + 0.001 * k, 10 + k] for k in range(1, 10)]
    kept = simplify(route)
    assert kept[0] == route[0] and kept[-1] == route[-1] and len(kept) == 3


@pytest.mark.django_db
def test_builder_saves_open_then_closed_and_signals(django_capture_on_commit_callbacks):
    terminal = bound_terminal()
    got = []

    def receiver(sender, trip, **kwargs):
        got.append(trip.pk)

    trip_closed.connect(receiver)
    try:
        builder = TripBuilder()
        points = drive(START, 10)
        for p in points:
            builder.add(terminal.vehicle_id, p)
        with django_capture_on_commit_callbacks(execute=True):
            assert builder.save() == []
        saved = Trip.objects.get()
        assert not saved.closed and saved.points == 11 and got == []
        for p in parked(points[-1].at, 6, points[-1].lat, points[-1].lng):
            builder.add(terminal.vehicle_id, p)
        with django_capture_on_commit_callbacks(execute=True):
            closed = builder.save()
        saved.refresh_from_db()
        assert [t.pk for t in closed] == [saved.pk] == got
        assert saved.closed and saved.end_at == points[-1].at
    finally:
        trip_closed.disconnect(receiver)


@pytest.mark.django_db
def test_rebuild_day_from_positions():
    terminal = bound_terminal()
    points = drive(START, 20) + parked(START + 20 * MIN, 8, 34.9, 117.3)
    Position.objects.bulk_create(
        Position(
            terminal=terminal,
            vehicle_id=terminal.vehicle_id,
            recorded_at=p.at,
            received_at=p.at,
            lat=p.lat,
            lng=p.lng,
            speed=p.speed,
            acc=p.acc,
        )
        for p in points
    )
    stale = dict(start_lat=0, start_lng=0, end_lat=0, end_lng=0)
    overlapping = Trip.objects.create(
        vehicle=terminal.vehicle, start_at=START, end_at=START + MIN, **stale
    )
    Trip.objects.create(
        vehicle=terminal.vehicle, start_at=START + 2 * 60 * MIN, end_at=START + 121 * MIN, **stale
    )
    removed, trips = rebuild_day(terminal.vehicle, START.date())
    assert removed == 1 and len(trips) == 1
    # The overlapping row is kept, with its id (the findings keyed by it stay), and rebuilt.
    (kept,) = Trip.objects.all()
    assert kept.pk == overlapping.pk and kept.duration_s == 20 * 60
