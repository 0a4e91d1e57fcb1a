"""The vehicles' two-sided world with trips: each side's car parks at its compound (given
coordinates), and helpers write trips and dispatches at given local times."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ...terminals.models import Trip
from ...vehicles.models import Dispatch
from ...vehicles.tests.world import VehiclesWorldMixin
from ..rules import LOCAL

HOME_A = (34.81, 117.32)
HOME_B = (34.86, 117.56)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=LOCAL)


def make_trip(
    vehicle, start: str, end: str, *, km: float = 12.0, end_point=None, route=None
) -> Trip:
    compound = vehicle.parking_compound
    home = (float(compound.lat), float(compound.lng)) if compound else HOME_A
    end_point = end_point or home
    s, e = at(start), at(end)
    return Trip.objects.create(
        vehicle=vehicle,
        start_at=s,
        end_at=e,
        start_lat=home[0],
        start_lng=home[1],
        end_lat=end_point[0],
        end_lng=end_point[1],
        distance_km=km,
        duration_s=int((e - s).total_seconds()),
        route=route
        or [
            [home[0], home[1], int(s.timestamp())],
            [end_point[0], end_point[1], int(e.timestamp())],
        ],
        closed=True,
    )


def make_dispatch(vehicle, user, start: str, end: str, state: str = "returned") -> Dispatch:
    return Dispatch.objects.create(
        organization=vehicle.organization,
        region=vehicle.region,
        requested_by=user,
        purpose="赴市政府汇报工作",
        passengers=2,
        origin="单位",
        destination="市政府",
        start_at=at(start),
        end_at=at(end),
        state=state,
        vehicle=vehicle,
    )


class SupervisionWorldMixin(VehiclesWorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for side, home in ((cls.world.a, HOME_A), (cls.world.b, HOME_B)):
            side.compound.lat, side.compound.lng = Decimal(str(home[0])), Decimal(str(home[1]))
            side.compound.save(update_fields=["lat", "lng"])
            side.vehicle.parking_compound = side.compound
            side.vehicle.fuel_norm = Decimal("8.00")
            side.vehicle.save(update_fields=["parking_compound", "fuel_norm"])
