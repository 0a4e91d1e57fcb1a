"""The engine on the database: loading facts, reconciling warnings, incremental re-checks through
the registry services, the scan command and a province's local standard."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...registry.choices import AdminLevel, EmploymentStatus, RegionLevel
from ...registry.models import Occupancy, Organization, Person, Post, Room
from ...registry.tests import factories as f
from ...standards.models import OfficeLimit, StandardVersion, VersionKind
from ..loader import Selection
from ..models import State, Warning
from ..services import check, scan


def r1(room) -> Warning:
    return Warning.objects.get(key=f"R1:room:{room.pk}")


def events(warning: Warning) -> list[str]:
    return list(
        ObjectChange.objects.filter(changed_object_id=warning.pk, action=ObjectChange.Action.EVENT)
        .order_by("pk")
        .values_list("event", flat=True)
    )


# Scan ---------------------------------------------------------------------------------------------
def test_scan_opens_one_warning_per_finding_with_its_scope(world):
    room = world.a.room
    warning = r1(room)
    assert warning.state == State.OPEN
    assert (warning.region, warning.organization, warning.room) == (
        world.a.region,
        world.a.org,
        room,
    )
    assert warning.figures["actual"] == "18.00" and warning.figures["limit"] == "9.00"
    assert warning.excess_area == Decimal("9.00")
    assert "表1" in warning.clause or "标准" in warning.clause
    assert warning.ruleset["versions"][0]["label"].startswith("党政机关办公用房建设标准")
    assert warning.ruleset["params"]["r1_tolerance_m2"] == "0"
    assert events(warning) == ["warning.open"]
    assert Warning.objects.count() == 2  # one per side


def test_a_second_scan_updates_rather_than_duplicates(world):
    before = {w.key: w.pk for w in Warning.objects.all()}
    outcome = scan()
    assert (outcome.opened, outcome.resolved, outcome.refreshed) == (0, 0, 2)
    assert {w.key: w.pk for w in Warning.objects.all()} == before
    assert ObjectChange.objects.filter(event="warning.open").count() == 2


def test_scan_command_by_region(world):
    Room.objects.filter(pk=world.b.room.pk).update(usable_area=Decimal("9.00"))
    out = io.StringIO()
    call_command("compliance_scan", region="370481", stdout=out)
    assert "每秒" in out.getvalue()
    assert r1(world.b.room).state == State.OPEN  # 市中区 was not scanned
    call_command("compliance_scan", region="370402", stdout=io.StringIO())
    assert r1(world.b.room).state == State.RESOLVED


def test_scan_queries_do_not_grow_with_the_data(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            scan()
        return len(ctx.captured_queries)

    before = queries()
    for n in range(5):
        room = f.RoomFactory(floor=world.a.floor, number=f"2{n:02d}", organization=world.a.org)
        person = f.PersonFactory(organization=world.a.org, number=f"X{n}")
        f.OccupancyFactory(person=person, room=room)
    # The new warnings' inserts and events (their change-log rows take their ids ahead: one
    # query), not one per row.
    assert queries() <= before + 7


# Incremental ---------------------------------------------------------------------------------------
def test_lowering_a_room_below_the_limit_resolves_and_raising_it_reopens(world, bureau_a):
    room = world.a.room
    service = service_for(Room)
    service.update(actor=bureau_a, instance=room, data={"usable_area": Decimal("9.00")})
    warning = r1(room)
    assert warning.state == State.RESOLVED and warning.resolved_at is not None
    service.update(actor=bureau_a, instance=room, data={"usable_area": Decimal("12.50")})
    warning.refresh_from_db()
    assert warning.state == State.OPEN and warning.reopened_count == 1
    assert warning.figures["excess"] == "3.50" and warning.resolved_at is None
    assert events(warning) == ["warning.open", "warning.resolve", "warning.reopen"]
    resolve = ObjectChange.objects.get(changed_object_id=warning.pk, event="warning.resolve")
    assert resolve.user_name == "system" and resolve.postchange_data["from"] == State.OPEN


def test_incremental_recheck_query_bound(world, bureau_a):
    """What the re-check adds to a room edit: a constant handful of queries."""
    from ...framework.signals import object_written
    from ..receivers import on_object_written

    def update(area: str) -> int:
        room = Room.objects.get(pk=world.a.room.pk)
        with CaptureQueriesContext(connection) as ctx:
            service_for(Room).update(actor=bureau_a, instance=room, data={"usable_area": area})
        return len(ctx.captured_queries)

    with_check = update("9.00")
    object_written.disconnect(on_object_written, dispatch_uid="compliance_recheck")
    try:
        without = update("12.00")
    finally:
        object_written.connect(on_object_written, dispatch_uid="compliance_recheck")
    assert r1(world.a.room).state == State.RESOLVED  # the second edit went unchecked
    # (the warning's change-log row takes its id ahead: one query of the 27)
    assert with_check - without <= 27
    with CaptureQueriesContext(connection) as own:
        check(Selection.of(rooms=[world.a.room.pk]))
    assert len(own.captured_queries) <= 24


def test_an_edit_that_changes_no_verdict_input_is_not_rechecked(world, bureau_a):
    with CaptureQueriesContext(connection) as ctx:
        service_for(Room).update(actor=bureau_a, instance=world.a.room, data={"name": "局长室"})
    assert not any("compliance_warning" in q["sql"] for q in ctx.captured_queries)


def test_ending_an_occupancy_resolves_the_room(world, bureau_a):
    service_for(Occupancy).update(
        actor=bureau_a, instance=world.a.occupancy, data={"ended_on": timezone.localdate()}
    )
    assert r1(world.a.room).state == State.RESOLVED


def test_a_second_occupant_raises_the_sum(world, bureau_a):
    other = f.PersonFactory(organization=world.a.org, number="002")
    service_for(Occupancy).create(
        actor=bureau_a,
        data={"person": other, "room": world.a.room, "started_on": datetime.date(2025, 1, 1)},
    )
    assert r1(world.a.room).state == State.RESOLVED  # 18 m² for two 科员: 9 + 9


def test_a_promotion_changes_the_verdict_of_his_room(world, bureau_a):
    service_for(Person).update(actor=bureau_a, instance=world.a.person, data={"grade": "section"})
    assert r1(world.a.room).state == State.RESOLVED  # 乡科级正职 at county level: 18 m²


def test_retirement_opens_r3_after_the_grace_period(world, bureau_a):
    today = timezone.localdate()
    service_for(Person).update(
        actor=bureau_a,
        instance=world.a.person,
        data={
            "employment_status": EmploymentStatus.RETIRED,
            "status_changed_on": today - datetime.timedelta(days=31),
        },
    )
    warning = Warning.objects.get(key=f"R3:person:{world.a.person.pk}")
    assert warning.figures["actual"] == 31 and warning.organization == world.a.org


def test_standard_level_of_the_organization_rechecks_its_rooms(world, bureau_a):
    org = Organization.objects.get(pk=world.a.org.pk)
    service_for(Organization).update(actor=bureau_a, instance=org, data={"level": AdminLevel.CITY})
    assert r1(world.a.room).state == State.OPEN
    service_for(Person).update(actor=bureau_a, instance=world.a.person, data={"grade": "division"})
    assert r1(world.a.room).state == State.RESOLVED  # 县处级正职 at city level: 24 m²


def test_second_office_and_its_post(world, bureau_a):
    person, sub_org = world.a.person, world.a.sub_org
    second = f.RoomFactory(
        floor=world.a.floor, number="301", organization=sub_org, usable_area=Decimal("17.00")
    )
    service_for(Occupancy).create(
        actor=bureau_a,
        data={
            "person": person,
            "room": second,
            "started_on": datetime.date(2025, 1, 1),
            "is_primary": False,
        },
    )
    # world.a.post: a current post in sub_org at 乡科级正职 (county: 18 m²) — 17 m² is smaller.
    assert not Warning.objects.filter(key=f"R2:person:{person.pk}").exists()
    ended = timezone.localdate() - datetime.timedelta(days=61)
    post = Post.objects.get(pk=world.a.post.pk)
    service_for(Post).update(actor=bureau_a, instance=post, data={"ended_on": ended})
    r4 = Warning.objects.get(key=f"R4:person:{person.pk}")
    assert r4.state == State.OPEN and r4.room == second and r4.figures["actual"] == 61


def test_a_new_room_is_judged_and_deleting_it_takes_its_warnings(world, bureau_a):
    room, _ = service_for(Room).create(
        actor=bureau_a,
        data={
            "floor": world.a.floor,
            "number": "401",
            "category": "service",
            "subtype": "会议室",
            "usable_area": Decimal("40.00"),
            "organization": world.a.org,
            "status": "leased_out",
            "status_since": datetime.date(2025, 3, 1),
        },
    )
    warning = Warning.objects.get(key=f"R8:room:{room.pk}")
    assert "出租" in warning.summary
    pk = room.pk
    service_for(Room).delete(actor=bureau_a, instance=room)
    assert not Warning.objects.filter(room_id=pk).exists()


# A province's local standard -----------------------------------------------------------------------
def test_a_local_township_standard_changes_verdicts_in_its_province_only(db):
    shandong = f.RegionFactory(code="370000", name="山东省", level=RegionLevel.PROVINCE)
    jiangsu = f.RegionFactory(code="320000", name="江苏省", level=RegionLevel.PROVINCE)
    rooms = {}
    for province, code in ((shandong, "370481101"), (jiangsu, "320481101")):
        town = f.RegionFactory(code=code, name="某镇", level=RegionLevel.TOWNSHIP, parent=province)
        org = f.OrganizationFactory(region=town, level=AdminLevel.TOWNSHIP)
        county = f.OrganizationFactory(region=province, level=AdminLevel.COUNTY)
        compound = f.CompoundFactory(region=town, owner_org=org)
        floor = f.FloorFactory(building=f.BuildingFactory(compound=compound))
        for key, owner in (("town", org), ("county", county)):
            room = f.RoomFactory(floor=floor, organization=owner, usable_area=Decimal("16.00"))
            person = f.PersonFactory(organization=owner, grade="section")
            f.OccupancyFactory(person=person, room=room)
            rooms[(province.code, key)] = room

    def verdicts() -> dict:
        scan()
        return {
            key: set(
                Warning.objects.filter(room=room, state=State.OPEN).values_list("rule", flat=True)
            )
            | set(
                Warning.objects.filter(
                    person__occupancies__room=room, state=State.OPEN
                ).values_list("rule", flat=True)
            )
            for key, room in rooms.items()
        }

    before = verdicts()
    # Without a 乡级 row nothing can be judged for the townships (R9), the counties are fine.
    assert before == {
        ("370000", "town"): {"R9"},
        ("370000", "county"): set(),
        ("320000", "town"): {"R9"},
        ("320000", "county"): set(),
    }
    version = StandardVersion.objects.create(
        name="山东省乡级机关办公用房标准（测试）",
        kind=VersionKind.LOCAL,
        region=shandong,
        source="测试",
        effective_from=datetime.date(2016, 1, 1),
    )
    OfficeLimit.objects.create(
        version=version, standard_level="township", grade="section", area=Decimal("15")
    )
    after = verdicts()
    assert after[("370000", "town")] == {"R1"}  # 16 m² > Shandong's 15
    assert after[("320000", "town")] == before[("320000", "town")]
    assert after[("370000", "county")] == after[("320000", "county")] == set()
    warning = Warning.objects.get(room=rooms[("370000", "town")], rule="R1")
    assert [v["label"] for v in warning.ruleset["versions"]][-1] == version.name


def test_building_and_organization_writes_are_rechecked(world, bureau_a):
    from ...registry.models import Building

    building = Building.objects.get(pk=world.a.building.pk)
    service_for(Building).update(actor=bureau_a, instance=building, data={"usable_area": "17.00"})
    r9 = Warning.objects.get(key=f"R9:building:{building.pk}")
    assert (r9.state, r9.figures["actual"]) == (State.OPEN, "18.00")
    org = Organization.objects.get(pk=world.a.org.pk)
    service_for(Organization).update(actor=bureau_a, instance=org, data={"staffing_quota": 0})
    assert Warning.objects.get(key=f"R9:organization:{org.pk}").state == State.OPEN
    service_for(Organization).update(actor=bureau_a, instance=org, data={"staffing_quota": 2})
    assert Warning.objects.get(key=f"R9:organization:{org.pk}").state == State.RESOLVED
