"""The writer's database side: COPY/executemany of positions, last positions that only move
forward, and open trips saved again as their routes grow (one UPDATE a trip)."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest
from django.utils import timezone

from ..ingest import PositionWriter, Row, write_last_positions, write_positions
from ..models import LastPosition, Position, Trip
from ..trips import Point, TripBuilder
from .helpers import START, bound_terminal

pytestmark = pytest.mark.django_db(transaction=True)

MIN = datetime.timedelta(minutes=1)


def row(
    terminal, at, *, lat=34.8, located=True, mileage=None, fuel=None, vehicle=True, **kw
) -> Row:
    return Row(
        terminal.pk,
        terminal.vehicle_id if vehicle else None,
        at,
        timezone.now(),
        lat,
        117.3,
        40,
        36.5,
        90,
        0,
        3 if located else 1,
        True,
        located,
        mileage,
        fuel,
        kw.get("batch", False),
    )


def test_positions_keep_every_value_including_empty_ones():
    t = bound_terminal()
    write_positions([row(t, START, mileage=1234.5, fuel=40.2), row(t, START + MIN, vehicle=False)])
    first, second = Position.objects.order_by("recorded_at")
    assert (first.recorded_at, first.mileage_km, first.fuel_l, first.speed) == (
        START,
        1234.5,
        40.2,
        36.5,
    )
    assert first.acc and first.located and not first.batch
    assert second.vehicle_id is None and second.mileage_km is None and second.fuel_l is None


def test_last_position_moves_forward_only():
    t = bound_terminal()
    write_last_positions([row(t, START + 2 * MIN, lat=35.0)])
    # A late report (blind-area re-send) and an unlocated one change nothing ...
    write_last_positions([row(t, START, lat=34.0), row(t, START + 5 * MIN, located=False)])
    last = LastPosition.objects.get(terminal=t)
    assert (last.recorded_at, last.lat) == (START + 2 * MIN, 35.0)
    # ... a newer one replaces it, and within one batch the newest wins.
    write_last_positions([row(t, START + 4 * MIN, lat=35.2), row(t, START + 3 * MIN, lat=35.1)])
    last.refresh_from_db()
    assert (last.recorded_at, last.lat) == (START + 4 * MIN, 35.2)


def test_open_trip_is_updated_in_place_as_it_grows():
    t = bound_terminal()
    builder = TripBuilder()
    step = 36 / 60 / 110.574
    for k in range(6):
        builder.add(t.vehicle_id, Point(START + k * MIN, 34.8 + k * step, 117.3, 36.0, True))
    builder.save(include_open=True)
    (saved,) = Trip.objects.all()
    assert not saved.closed and saved.points == 6
    for k in range(6, 11):
        builder.add(t.vehicle_id, Point(START + k * MIN, 34.8 + k * step, 117.3, 36.0, True))
    builder.save(include_open=True)
    (grown,) = Trip.objects.all()
    assert grown.pk == saved.pk and grown.points == 11
    assert grown.distance_km == pytest.approx(6.0, rel=0.02)
    assert grown.end_at == START + 10 * MIN and len(grown.route) >= 2


def drive(terminal, start, minutes, *, batch=False) -> list[Row]:
    """One report a minute moving north at 36 km/h, then 10 minutes parked with ACC off."""
    step = 36 / 60 / 110.574
    moving = [
        row(terminal, start + k * MIN, lat=34.8 + k * step, batch=batch) for k in range(minutes)
    ]
    end = moving[-1]
    parked = [
        replace(end, recorded_at=end.recorded_at + k * MIN, speed=0.0, acc=False)
        for k in range(1, 11)
    ]
    return moving + parked


def test_blind_area_resends_are_joined_into_the_days_trips():
    t = bound_terminal()
    writer = PositionWriter()
    writer.trips.load_open()
    # The live reports of the afternoon open a trip; the morning's re-sent reports arrive while
    # it is open: the day waits.
    writer._write(drive(t, START + 5 * 60 * MIN, 20)[:15])
    writer._write(drive(t, START, 20, batch=True))
    assert writer.late and Trip.objects.filter(closed=True).count() == 0
    # The afternoon trip closes: the day is rebuilt from every stored report, both trips in it.
    writer._write(drive(t, START + 5 * 60 * MIN, 20)[15:])
    trips = list(Trip.objects.filter(vehicle=t.vehicle).order_by("start_at"))
    assert [trip.start_at for trip in trips] == [START, START + 5 * 60 * MIN]
    assert all(trip.closed for trip in trips) and not writer.late
