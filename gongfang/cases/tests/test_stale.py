"""Refusal when the data moved after submission, kind by kind: the final approval is refused
with the reason and nothing of the case is written (rooms, occupancies, approvals, records)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from ...framework import clock
from ...framework.services import service_for
from ...registry.choices import RoomCategory, RoomStatus
from ...registry.models import Compound, Occupancy, Room
from ...registry.tests import factories as f
from ...workflow.choices import CaseKind, CaseState
from ...workflow.kinds import KINDS
from ...workflow.models import Case
from ..models import ApprovedUse, ConstructionProject

TODAY = clock.today()
END = (TODAY + datetime.timedelta(days=60)).isoformat()


def room_kind_data(kind, world, rooms):
    ids = [r.pk for r in rooms]
    return {
        CaseKind.ALLOCATION: {"rooms": ids, "receiver": world.a.sub_org.pk, "reason": "调整"},
        CaseKind.VACATE: {"rooms": ids, "return_to_pool": True, "reason": "搬迁"},
        CaseKind.LEND: {
            "rooms": ids,
            "borrower": world.a.sub_org.pk,
            "starts_on": TODAY.isoformat(),
            "ends_on": END,
            "agreement_number": "借 1",
            "reason": "借用",
        },
        CaseKind.LEASE_OUT: {
            "rooms": ids,
            "tenant": "某公司",
            "rent": "1000",
            "starts_on": TODAY.isoformat(),
            "ends_on": END,
            "agreement_number": "租 1",
            "bidding_record": "GG-1",
            "reason": "招租",
        },
        CaseKind.CHANGE_OF_USE: {
            "rooms": ids,
            "category": RoomCategory.SERVICE,
            "subtype": "档案室",
            "reason": "改档案室",
        },
        CaseKind.DISPOSAL: {"method": "seal", "rooms": ids, "reason": "封存"},
    }[kind]


ROOM_KINDS = [
    CaseKind.ALLOCATION,
    CaseKind.VACATE,
    CaseKind.LEND,
    CaseKind.LEASE_OUT,
    CaseKind.CHANGE_OF_USE,
    CaseKind.DISPOSAL,
]


def snapshot(rooms):
    return [
        Room.objects.filter(pk=r.pk).values_list("organization", "status", "category").get()
        for r in rooms
    ]


@pytest.mark.parametrize("kind", ROOM_KINDS)
def test_a_room_edited_after_submission_stops_the_case(world, unit_a, bureau_a, driver, kind):
    rooms = [
        world.a.room,
        f.RoomFactory(floor=world.a.floor, number="102", organization=world.a.org),
    ]
    case = driver.submit(
        actor=unit_a, kind=kind, applicant=world.a.org, data=room_kind_data(kind, world, rooms)
    )
    case = driver.until_last_step(case)
    before = snapshot(rooms)
    service_for(Room).update(actor=bureau_a, instance=rooms[1], data={"name": "改了名字"})
    with pytest.raises(ValidationError, match="提交后已被修改"):
        driver.step(case)
    assert snapshot(rooms) == before
    assert Occupancy.objects.get(pk=world.a.occupancy.pk).ended_on is None
    assert not ApprovedUse.objects.exists()
    assert Case.objects.get(pk=case.pk).state != CaseState.APPLIED


@pytest.mark.parametrize("kind", ROOM_KINDS)
def test_apply_itself_writes_nothing_when_a_later_room_is_stale(
    world, unit_a, leader_a, driver, kind
):
    """Past the engine's check (a write that raced it): the first room's write is rolled back
    with the refusal of the second."""
    rooms = [
        world.a.room,
        f.RoomFactory(floor=world.a.floor, number="102", organization=world.a.org),
    ]
    case = driver.submit(
        actor=unit_a, kind=kind, applicant=world.a.org, data=room_kind_data(kind, world, rooms)
    )
    before = snapshot(rooms)
    second = max(
        rooms, key=lambda r: (r.floor.building.compound.name, r.floor.building.name, r.number)
    )
    Room.objects.filter(pk=second.pk).update(version=F("version") + 1)
    with pytest.raises(ValidationError), transaction.atomic():
        KINDS.get(kind).apply(actor=leader_a, case=Case.objects.get(pk=case.pk))
    assert snapshot(rooms) == before
    assert Occupancy.objects.get(pk=world.a.occupancy.pk).ended_on is None
    assert not ApprovedUse.objects.exists()


def test_lease_in_refused_when_the_name_was_taken_meanwhile(world, unit_a, driver):
    data = {
        "name": "租用办公点",
        "region": world.a.region.pk,
        "address": "某路 1 号",
        "landlord": "某公司",
        "building_name": "综合楼",
        "floors_above": 3,
        "height_class": "multi",
        "building_area": "200",
        "usable_area": "150",
        "category": RoomCategory.OFFICE,
        "rent": "50000",
        "starts_on": TODAY.isoformat(),
        "ends_on": END,
        "agreement_number": "租 2",
        "reason": "过渡",
    }
    case = driver.submit(actor=unit_a, kind=CaseKind.LEASE_IN, applicant=world.a.org, data=data)
    f.CompoundFactory(name="租用办公点", region=world.a.region, owner_org=world.a.org)
    with pytest.raises(ValidationError, match="已有名为“租用办公点”的院落"):
        driver.approve(case)
    assert Compound.objects.filter(name="租用办公点").count() == 1
    assert not Room.objects.filter(status=RoomStatus.RENTED).exists()


def test_construction_refused_when_the_building_was_edited(world, unit_a, bureau_a, driver):
    case = driver.submit(
        actor=unit_a,
        kind=CaseKind.CONSTRUCTION,
        applicant=world.a.org,
        data={
            "project_kind": "renovation",
            "name": "改造",
            "building": world.a.building.pk,
            "budget": "10",
            "funding": "财政",
            "necessity": "老旧",
        },
    )
    case = driver.until_last_step(case)
    from ...registry.models import Building

    service_for(Building).update(
        actor=bureau_a, instance=world.a.building, data={"year_built": 1990}
    )
    with pytest.raises(ValidationError, match="提交后已被修改"):
        driver.step(case)
    assert not ConstructionProject.objects.exists()
