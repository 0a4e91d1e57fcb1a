"""Difference analysis on planted changes: each change put down to its cause, the causes adding
up to the change, and every cause naming its rooms and cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from ...cases.tests.conftest import Driver, world  # noqa: F401
from ...framework.services import service_for
from ...registry.choices import RoomCategory
from ...registry.models import Organization, Room
from ...registry.tests import factories as f
from ...workflow.choices import CaseKind
from ...workflow.tests.conftest import (  # noqa: F401
    bureau_a,
    city_bureau,
    city_leader,
    leader_a,
    unit_a,
)
from ..differences import (
    ALLOCATION,
    AREA,
    CHANGE_OF_USE,
    CORRECTION,
    COUNT,
    DISPOSAL,
    SUBJECT,
    analyse,
)


@pytest.fixture
def driver(unit_a, bureau_a, leader_a, city_bureau, city_leader) -> Driver:  # noqa: F811
    return Driver([unit_a, bureau_a, leader_a, city_bureau, city_leader])


@pytest.fixture
def planted(world, unit_a, bureau_a, city_bureau, driver):  # noqa: F811
    """Six rooms of unit a (18 ㎡ each) and, after ``before``, one change of every cause."""
    a = world.a
    rooms = {n: f.RoomFactory(floor=a.floor, number=n, organization=a.org) for n in "23456"}
    rooms["1"] = a.room
    before = timezone.now()
    allocation = driver.approve(
        driver.submit(
            actor=unit_a,
            kind=CaseKind.ALLOCATION,
            applicant=a.org,
            data={"rooms": [a.room.pk], "receiver": a.sub_org.pk, "reason": "内设机构调整"},
        )
    )
    disposal = driver.approve(
        driver.submit(
            actor=unit_a,
            kind=CaseKind.DISPOSAL,
            applicant=a.org,
            data={
                "method": "sale",
                "rooms": [rooms["2"].pk],
                "counterparty_name": "枣庄市国有资产运营公司",
                "reason": "房屋老旧",
            },
        )
    )
    service = service_for(Room)
    service.update(
        actor=bureau_a,
        instance=rooms["3"],
        data={"category": RoomCategory.SERVICE, "subtype": ""},
    )
    service.update(actor=bureau_a, instance=rooms["4"], data={"usable_area": Decimal("20.00")})
    deleted = rooms["5"].pk
    service.delete(actor=bureau_a, instance=rooms["5"])
    new_org, _ = service_for(Organization).create(
        actor=bureau_a,
        data={
            "name": "滕州市新设中心",
            "kind": a.org.kind,
            "level": a.org.level,
            "region": a.region,
        },
    )
    new_room, _ = service.create(
        actor=bureau_a,
        data={
            "floor": a.floor,
            "number": "201",
            "category": RoomCategory.OFFICE,
            "usable_area": Decimal("15.00"),
            "organization": new_org,
        },
    )
    return {
        "before": before,
        "after": timezone.now(),
        "rooms": rooms,
        "deleted": deleted,
        "allocation": allocation,
        "disposal": disposal,
        "new_org": new_org,
        "new_room": new_room,
    }


def rows_by(analysis):
    return {(r.unit_id, r.field): r for r in analysis.rows}


def test_each_change_has_its_cause_and_the_causes_add_up(world, planted):  # noqa: F811
    a = world.a
    analysis = analyse(scope=world.city, before=planted["before"], after=planted["after"])
    rows = rows_by(analysis)
    for row in analysis.rows:
        total = sum((t for _c, t, _o in row.by_cause), Decimal(0))
        assert total == row.delta, (row.unit, row.label)

    area = rows[(a.org.pk, AREA)]
    assert (area.before, area.after) == (Decimal("108.00"), Decimal("56.00"))
    assert area.cause_total(ALLOCATION) == Decimal("-18.00")
    assert area.cause_total(DISPOSAL) == Decimal("-18.00")
    assert area.cause_total(CORRECTION) == Decimal("-16.00")  # +2 corrected, -18 deleted
    assert CHANGE_OF_USE not in area.causes  # the total does not move with the category

    office = rows[(a.org.pk, "area:office")]
    assert office.cause_total(CHANGE_OF_USE) == Decimal("-18.00")
    service = rows[(a.org.pk, "area:service")]
    assert (service.before, service.after) == (Decimal(0), Decimal("18.00"))
    assert service.cause_total(CHANGE_OF_USE) == Decimal("18.00")

    count = rows[(a.org.pk, COUNT)]
    assert (count.before, count.after) == (Decimal(6), Decimal(3))


def test_causes_name_their_rooms_and_cases(world, planted):  # noqa: F811
    a = world.a
    analysis = analyse(scope=world.city, before=planted["before"], after=planted["after"])
    area = rows_by(analysis)[(a.org.pk, AREA)]
    [moved] = area.causes[ALLOCATION]
    assert (moved.room_id, moved.case_id) == (a.room.pk, planted["allocation"].pk)
    [sold] = area.causes[DISPOSAL]
    assert (sold.room_id, sold.case_id) == (planted["rooms"]["2"].pk, planted["disposal"].pk)
    corrections = {c.room_id: c for c in area.causes[CORRECTION]}
    assert corrections[planted["rooms"]["4"].pk].delta == Decimal("2.00")
    gone = corrections[planted["deleted"]]
    assert gone.delta == Decimal("-18.00") and "已删除" in gone.label and gone.case_id is None

    receiver = rows_by(analysis)[(a.sub_org.pk, AREA)]
    assert receiver.cause_total(ALLOCATION) == Decimal("18.00")
    assert receiver.causes[ALLOCATION][0].case_id == planted["allocation"].pk


def test_a_unit_counted_in_one_period_only_is_the_subject(world, planted):  # noqa: F811
    new_org = planted["new_org"]
    analysis = analyse(scope=world.city, before=planted["before"], after=planted["after"])
    area = rows_by(analysis)[(new_org.pk, AREA)]
    assert (area.before, area.after) == (Decimal(0), Decimal("15.00"))
    assert list(area.causes) == [SUBJECT]
    assert area.causes[SUBJECT][0].room_id == planted["new_room"].pk
    assert analysis.unit_changes == {new_org.pk: "新增"}


def test_nothing_changed_nothing_listed(world, planted):  # noqa: F811
    at = planted["after"]
    assert analyse(scope=world.city, before=at, after=at).rows == []
    # Unit b's rooms did not change: no row of b, in a scope of b alone either.
    assert analyse(scope=world.b.org, before=planted["before"], after=at).rows == []


def test_the_scope_of_one_organization(world, planted):  # noqa: F811
    analysis = analyse(scope=world.a.org, before=planted["before"], after=planted["after"])
    units = {r.unit_id for r in analysis.rows}
    assert units == {world.a.org.pk, world.a.sub_org.pk}


def test_the_page_lists_causes_and_their_objects(client, world, planted, city_bureau):  # noqa: F811
    from django.urls import reverse

    from ...registry.asof import end_of_day

    client.force_login(city_bureau)
    url = reverse("reporting:differences")
    day = timezone.localdate(planted["after"])
    assert end_of_day(day) > planted["after"]
    response = client.get(
        url,
        {"region": world.city.pk, "before": f"{day.replace(year=day.year - 1)}", "after": f"{day}"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "差异对比分析：枣庄市" in text
    for cause in (ALLOCATION, DISPOSAL, CORRECTION, SUBJECT):
        assert cause in text
    assert planted["allocation"].number in text
    assert "滕州市新设中心（新增）" in text
    # Forged or foreign ids: 404, never 500; dates the wrong way round: a message.
    assert client.get(url, {"unit": "1e3"}).status_code == 404
    assert client.get(url, {"unit": "999999"}).status_code == 404
    wrong = client.get(url, {"region": world.city.pk, "before": f"{day}", "after": f"{day}"})
    assert "比较的起始日期须早于截止日期。" in wrong.content.decode()
