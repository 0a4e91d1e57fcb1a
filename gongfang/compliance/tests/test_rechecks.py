"""Re-checks that follow deletes and moves: a deleted person's shared room, a deleted room's
occupants, a renamed compound or building, a floor moved to another building, a region moved
under another parent — each re-judged in the writing transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from ...framework.services import service_for
from ...registry.models import Building, Compound, Floor, Occupancy, Person, Region, Room
from ...registry.tests import factories as f
from ...standards.models import OfficeLimit, StandardVersion, VersionKind
from ..models import State, Warning

pytestmark = pytest.mark.django_db


def r1(room: Room) -> Warning:
    return Warning.objects.get(key=f"R1:room:{room.pk}")


def share(bureau, person: Person, room: Room, *, primary: bool = True) -> Occupancy:
    occupancy, _ = service_for(Occupancy).create(
        actor=bureau,
        data={
            "person": person,
            "room": room,
            "started_on": datetime.date(2025, 1, 1),
            "is_primary": primary,
        },
    )
    return occupancy


def test_deleting_a_person_rechecks_the_room_he_shared(world, bureau_a):
    other = f.PersonFactory(organization=world.a.org, number="002")
    share(bureau_a, other, world.a.room)
    assert r1(world.a.room).state == State.RESOLVED  # 18 m² for two 科员
    service_for(Person).delete(actor=bureau_a, instance=Person.objects.get(pk=other.pk))
    assert r1(world.a.room).state == State.OPEN  # one 科员 alone in 18 m² again


def test_deleting_a_room_rechecks_its_occupants_other_offices(world, bureau_a):
    person = world.a.person
    rooms = [
        f.RoomFactory(floor=world.a.floor, number=n, organization=world.a.org)
        for n in ("102", "103")
    ]
    for room in rooms:
        share(bureau_a, person, room, primary=False)
    key = f"R2:person:{person.pk}"
    assert Warning.objects.get(key=key).figures["actual"] == 3
    service_for(Room).delete(actor=bureau_a, instance=Room.objects.get(pk=rooms[1].pk))
    assert Warning.objects.get(key=key).figures["actual"] == 2  # two offices left


def test_deleting_a_floor_rechecks_its_occupants_other_offices(world, bureau_a):
    person = world.a.person
    upstairs = f.FloorFactory(building=world.a.building, number=2)
    rooms = [
        f.RoomFactory(floor=floor, number=n, organization=world.a.org)
        for floor, n in ((world.a.floor, "102"), (upstairs, "201"))
    ]
    for room in rooms:
        share(bureau_a, person, room, primary=False)
    key = f"R2:person:{person.pk}"
    assert Warning.objects.get(key=key).figures["actual"] == 3
    service_for(Floor).delete(actor=bureau_a, instance=Floor.objects.get(pk=upstairs.pk))
    assert Warning.objects.get(key=key).figures["actual"] == 2  # room 201 went with its floor


def test_renaming_a_compound_relabels_its_rooms_warnings(world, bureau_a):
    compound = Compound.objects.get(pk=world.a.compound.pk)
    service_for(Compound).update(actor=bureau_a, instance=compound, data={"name": "新行政中心"})
    assert r1(world.a.room).subject_label.startswith("新行政中心 ")


def test_renaming_a_building_relabels_its_rooms_warnings(world, bureau_a):
    building = Building.objects.get(pk=world.a.building.pk)
    service_for(Building).update(actor=bureau_a, instance=building, data={"name": "综合楼"})
    assert " 综合楼 " in r1(world.a.room).subject_label


def test_moving_a_floor_to_another_building_relabels_its_rooms(world, bureau_a):
    other = f.BuildingFactory(compound=world.a.compound, name="2号楼")
    floor = Floor.objects.get(pk=world.a.floor.pk)
    service_for(Floor).update(actor=bureau_a, instance=floor, data={"building": other})
    assert " 2号楼 " in r1(world.a.room).subject_label


def test_moving_a_region_applies_the_local_standard_of_its_new_parent(world, bureau_a):
    """A county moved under a city whose local standard allows 科员 18 m²: its R1 resolves."""
    province = world.province
    lenient = f.RegionFactory(code="370500", name="东营市", level="city", parent=province)
    version = StandardVersion.objects.create(
        name="东营市标准",
        kind=VersionKind.LOCAL,
        region=lenient,
        source="测试",
        effective_from=datetime.date(2020, 1, 1),
    )
    OfficeLimit.objects.create(
        version=version, standard_level="county", grade="staff", area=Decimal("18")
    )
    assert r1(world.a.room).state == State.OPEN
    from ...registry.tests.world import make_user

    admin = make_user("province_admin", ["bureau_admin"], scope_region=province)
    region = Region.objects.get(pk=world.a.region.pk)
    service_for(Region).update(actor=admin, instance=region, data={"parent": lenient})
    assert r1(world.a.room).state == State.RESOLVED


def test_deferred_rechecks_run_once_at_the_end_of_the_block(world, bureau_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..loader import Selection
    from ..receivers import recheck, rechecks_deferred

    with rechecks_deferred():
        service_for(Room).update(
            actor=bureau_a, instance=world.a.room, data={"usable_area": Decimal("9.00")}
        )
        # An edit inside the block is not judged yet.
        assert r1(world.a.room).state == State.OPEN
        with rechecks_deferred():  # a nested block leaves it to the outer one
            recheck(Selection.of(rooms=[world.b.room.pk]))
        Room.objects.filter(pk=world.b.room.pk).update(usable_area=Decimal("9.00"))
        with CaptureQueriesContext(connection) as ctx:
            recheck(Selection.of(rooms=[world.b.room.pk]))
        assert not any("compliance_warning" in q["sql"] for q in ctx.captured_queries)
    # Both judged at the end, in one check.
    assert r1(world.a.room).state == State.RESOLVED
    assert r1(world.b.room).state == State.RESOLVED
