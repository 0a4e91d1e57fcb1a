"""The terminals' demo part on a small fleet: terminals bound, unknown ones listed, and the
planted anomalies where CONTRACT.md says they are."""

from __future__ import annotations

import io
from itertools import pairwise

import pytest
from django.core.management.base import OutputWrapper
from django.utils import timezone

from ...demo.parts import DemoRun
from ...framework.workdays import is_workday
from ...vehicles.tests.factories import VehicleFactory
from .. import demo_part
from ..models import LastPosition, Position, Terminal, TerminalState, Trip
from ..trips import distance_m

pytestmark = pytest.mark.django_db


def test_demo_part_plants_the_anomalies():
    first = VehicleFactory(terminal="013000000001")
    cars = [first] + [
        VehicleFactory(organization=first.organization, terminal=f"0130000000{k:02d}")
        for k in range(2, 9)
    ]
    run = DemoRun(profile="small", seed=1, anchor=None, stdout=OutputWrapper(io.StringIO()))
    demo_part.build(run)
    assert Terminal.objects.filter(state=TerminalState.BOUND).count() == len(cars)
    assert Terminal.objects.filter(state=TerminalState.UNBOUND).count() == 3
    assert demo_part.existing()
    trips = {car.pk: list(Trip.objects.filter(vehicle=car).order_by("start_at")) for car in cars}
    holiday = trips[cars[0].pk][0]
    assert not is_workday(timezone.localtime(holiday.start_at).date())
    assert timezone.localtime(trips[cars[1].pk][0].start_at).hour == 23
    far = max(trips[cars[2].pk], key=lambda t: t.distance_km)
    assert max(p[0] for p in far.route) > 36.5  # reached Jinan
    night = trips[cars[3].pk]
    assert len(night) == 2 and (night[1].start_at - night[0].end_at).total_seconds() > 12 * 3600
    (silent,) = trips[cars[4].pk]
    reports = list(Position.objects.filter(vehicle=cars[4]).order_by("recorded_at"))
    gaps = [
        (b.recorded_at - a.recorded_at, distance_m(a.lat, a.lng, b.lat, b.lng))
        for a, b in pairwise(reports)
    ]
    gap, metres = max(gaps)
    assert gap.total_seconds() >= 40 * 60 and metres > 20_000
    assert silent.start_at <= reports[0].recorded_at
    stale = LastPosition.objects.get(vehicle=cars[5])
    assert (timezone.now() - stale.recorded_at).days >= 3
    assert demo_part.flush() > 0 and not Trip.objects.exists()
