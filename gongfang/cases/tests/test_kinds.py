"""Each kind run through its national default process: the effects on approval, the refusal
when a subject changed meanwhile (nothing half applied), and R8 with and without a case."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ...compliance.loader import Selection
from ...compliance.models import State, Warning
from ...compliance.services import check
from ...framework import clock
from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...registry.choices import RoomCategory, RoomStatus
from ...registry.models import Building, Compound, Occupancy, Room
from ...registry.tests import factories as f
from ...workflow import services
from ...workflow.choices import CaseKind, CaseState
from ...workflow.kinds import KINDS
from ...workflow.models import Case
from ..models import ApprovedUse, ConstructionProject, Use

TODAY = clock.today()


def r8(room) -> Warning | None:
    return Warning.objects.filter(key=f"R8:room:{room.pk}").first()


def new_room(world, number, **kwargs) -> Room:
    kwargs.setdefault("organization", world.a.org)
    return f.RoomFactory(floor=world.a.floor, number=number, **kwargs)


def room_log(room) -> list[ObjectChange]:
    return list(
        ObjectChange.objects.filter(
            changed_object_id=room.pk, changed_object_type__model="room", action="update"
        ).order_by("pk")
    )


def test_every_kind_but_title_filing_is_registered():
    for kind in CaseKind.values:
        if kind != CaseKind.TITLE_FILING:
            assert kind in KINDS, kind


# 调配 ------------------------------------------------------------------------------------------
def test_allocation_moves_the_rooms_and_ends_their_occupancies(world, unit_a, leader_a, driver):
    room, second = world.a.room, new_room(world, "102")
    case = driver.submit(
        actor=unit_a,
        kind=CaseKind.ALLOCATION,
        applicant=world.a.org,
        data={
            "rooms": [room.pk, second.pk],
            "receiver": world.a.sub_org.pk,
            "end_occupancies": True,
            "reason": "内设机构调整",
        },
    )
    assert case.number.startswith("滕机管调〔")
    assert case.counterparty == world.a.sub_org
    preview = KINDS.get(case.kind).preview(case)
    fields = {(c.label, c.field, c.after) for c in KINDS.get(case.kind).preview(case)}
    assert (str(room), "使用单位", world.a.sub_org.name) in fields
    assert any(c.model == "办公室使用" for c in preview)
    case = driver.approve(case)
    assert case.state == CaseState.APPLIED
    for r in (room, second):
        r.refresh_from_db()
        assert (r.organization, r.status, r.status_since) == (
            world.a.sub_org,
            RoomStatus.IN_USE,
            TODAY,
        )
    world.a.occupancy.refresh_from_db()
    assert world.a.occupancy.ended_on == TODAY
    # Written through the registry's service, in the signer's name.
    assert room_log(room)[-1].user == leader_a
    assert case.result["rooms"] == [room.pk, second.pk] or set(case.result["rooms"]) == {
        room.pk,
        second.pk,
    }


def test_a_room_changed_meanwhile_stops_the_whole_case(world, unit_a, bureau_a, driver):
    first, second = new_room(world, "102"), new_room(world, "103")
    case = driver.submit(
        actor=unit_a,
        kind=CaseKind.ALLOCATION,
        applicant=world.a.org,
        data={"rooms": [first.pk, second.pk], "receiver": world.a.sub_org.pk, "reason": "调整"},
    )
    case = driver.until_last_step(case)
    # Someone edits the second room after submission.
    service_for(Room).update(actor=bureau_a, instance=second, data={"name": "档案整理室"})
    with pytest.raises(ValidationError) as exc:
        driver.step(case)
    assert f"房间“{second}”在提交后已被修改" in " ".join(exc.value.messages)
    for r in (first, second):
        r.refresh_from_db()
        assert r.organization == world.a.org  # neither moved
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW


def test_a_room_given_away_meanwhile_is_a_problem_even_before_the_versions(world, unit_a):
    room = new_room(world, "102")
    kind = KINDS.get(CaseKind.LEND)
    drafted = kind.draft(
        actor=unit_a,
        applicant=world.a.org,
        data={
            "rooms": [room.pk],
            "borrower": world.a.sub_org.pk,
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + datetime.timedelta(days=90)).isoformat(),
            "agreement_number": "XY-1",
            "reason": "借用",
        },
    )
    Room.objects.filter(pk=room.pk).update(organization=world.b.org)
    case = Case(
        kind=CaseKind.LEND, applicant=world.a.org, region=world.a.region, payload=drafted.payload
    )
    [problem] = kind.problems(case)
    assert "已不属于申请单位" in problem and str(room) in problem


def test_an_allocation_beyond_the_applicants_region_is_refused_at_submission(world, city_bureau):
    case = services.create_case(
        actor=city_bureau,
        kind=CaseKind.ALLOCATION,
        applicant=world.a.org,
        data={"rooms": [world.a.room.pk], "receiver": world.b.org.pk, "reason": "跨区调配"},
    )
    with pytest.raises(ValidationError, match="须由上级区划办理"):
        services.submit_case(actor=city_bureau, case=case)
    assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT


# 腾退 ------------------------------------------------------------------------------------------
def test_vacate_to_the_pool(world, unit_a, driver):
    room = world.a.room
    case = driver.approve(
        driver.submit(
            actor=unit_a,
            kind=CaseKind.VACATE,
            applicant=world.a.org,
            data={"rooms": [room.pk], "return_to_pool": True, "reason": "搬迁"},
        )
    )
    assert case.state == CaseState.APPLIED
    room.refresh_from_db()
    assert (room.organization, room.status, room.status_since) == (None, RoomStatus.IDLE, TODAY)
    assert not Occupancy.objects.filter(room=room, ended_on__isnull=True).exists()


# 出借 ------------------------------------------------------------------------------------------
def lend_data(rooms, world, *, days=90):
    return {
        "rooms": [r.pk for r in rooms],
        "borrower": world.a.sub_org.pk,
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=days)).isoformat(),
        "agreement_number": "借字 2026-07",
        "reason": "临时借用办公",
    }


def test_lend_sets_the_status_records_the_approval_and_no_r8(world, unit_a, driver):
    room = new_room(world, "102", category=RoomCategory.SERVICE, subtype="会议室")
    case = driver.submit(
        actor=unit_a, kind=CaseKind.LEND, applicant=world.a.org, data=lend_data([room], world)
    )
    end = TODAY + datetime.timedelta(days=90)
    preview = [(c.model, c.field, c.before, c.after) for c in KINDS.get(case.kind).preview(case)]
    assert preview == [
        ("房间", "使用状态", "在用", "出借"),
        ("房间", "状态起始日期", "—", f"{TODAY:%Y-%m-%d}"),
        (
            "经批准的用途",
            "",
            "",
            f"出借（{TODAY:%Y-%m-%d} 至 {end:%Y-%m-%d}，协议 借字 2026-07），"
            f"借用单位 {world.a.sub_org}",
        ),
    ]
    case = driver.approve(case)
    assert case.state == CaseState.APPLIED and case.counterparty == world.a.sub_org
    assert case.result["changes"][0]["after"] == "出借"
    room.refresh_from_db()
    assert (room.status, room.status_since, room.organization) == (
        RoomStatus.LENT,
        TODAY,
        world.a.org,
    )
    use = ApprovedUse.objects.get(room=room)
    assert (use.use, use.counterparty, use.agreement_number) == (
        Use.LENT,
        world.a.sub_org,
        "借字 2026-07",
    )
    assert r8(room) is None  # never opened, not even for a moment
    # When the term has passed, R8 flags it again and names the lapsed case.
    check(Selection.of(rooms=[room.pk]), today=use.ends_on + datetime.timedelta(days=1))
    warning = r8(room)
    assert warning.state == State.OPEN
    assert f"期限已于 {use.ends_on:%Y-%m-%d} 届满（{case.number}）" in warning.summary


def test_an_unapproved_loan_is_r8_until_a_case_approves_it(world, unit_a, bureau_a, driver):
    room = new_room(world, "102", category=RoomCategory.SERVICE, subtype="会议室")
    service_for(Room).update(
        actor=bureau_a, instance=room, data={"status": RoomStatus.LENT, "status_since": TODAY}
    )
    assert r8(room).state == State.OPEN
    assert "未关联经批准的审批事项" in r8(room).summary
    case = driver.submit(
        actor=unit_a, kind=CaseKind.LEND, applicant=world.a.org, data=lend_data([room], world)
    )
    case = driver.until_last_step(case)
    assert r8(room).state == State.OPEN  # approved by the bureau only: still a warning
    case = driver.step(case)
    assert case.state == CaseState.APPLIED
    assert r8(room).state == State.RESOLVED


def test_lend_form_messages_name_the_fields(world, unit_a):
    kind = KINDS.get(CaseKind.LEND)
    with pytest.raises(ValidationError) as exc:
        kind.draft(
            actor=unit_a,
            applicant=world.a.org,
            data={
                "rooms": [world.b.room.pk],
                "starts_on": "2026-13-01",
                "ends_on": TODAY.isoformat(),
                "reason": "x",
            },
        )
    errors = exc.value.message_dict
    assert errors["borrower"] == ["请选择借用单位。"]
    assert errors["agreement_number"] == ["请填写协议编号。"]
    assert errors["starts_on"] == ["起始日期格式不正确，请按“年-月-日”填写。"]
    assert errors["rooms"] == ["所选房间不存在或超出您的管辖范围。"]
    with pytest.raises(ValidationError) as exc:
        kind.draft(
            actor=unit_a,
            applicant=world.a.org,
            data={**lend_data([world.a.room], world), "ends_on": "2020-01-01"},
        )
    assert exc.value.message_dict["ends_on"] == ["截止日期不能早于起始日期。"]


# 出租 ------------------------------------------------------------------------------------------
def test_lease_out_with_tenant_rent_and_bidding_record(world, unit_a, driver):
    room = new_room(world, "102", category=RoomCategory.SERVICE, subtype="储藏室")
    data = {
        **lend_data([room], world, days=365),
        "tenant": "枣庄某商贸有限公司",
        "rent": "36000.00",
        "agreement_number": "租字 2026-3",
        "bidding_record": "枣庄市公共资源交易平台 GG-2026-118",
        "reason": "闲置用房公开招租",
    }
    data.pop("borrower")
    case = driver.approve(
        driver.submit(actor=unit_a, kind=CaseKind.LEASE_OUT, applicant=world.a.org, data=data)
    )
    assert case.state == CaseState.APPLIED
    room.refresh_from_db()
    assert room.status == RoomStatus.LEASED_OUT
    use = ApprovedUse.objects.get(room=room)
    assert (use.party, use.rent, use.bidding_record) == (
        "枣庄某商贸有限公司",
        Decimal("36000.00"),
        "枣庄市公共资源交易平台 GG-2026-118",
    )
    assert r8(room) is None


# 用途变更 ----------------------------------------------------------------------------------------
def test_change_of_use_without_and_with_a_case(world, unit_a, bureau_a, driver):
    room = world.a.room  # an office with its occupant
    # Changed by hand: an occupied 会议室 is a change of use (R8).
    service_for(Room).update(
        actor=bureau_a, instance=room, data={"category": RoomCategory.SERVICE, "subtype": "会议室"}
    )
    assert r8(room).state == State.OPEN
    service_for(Room).update(
        actor=bureau_a,
        instance=room,
        data={"category": RoomCategory.OFFICE, "subtype": "一般工作人员办公室"},
    )
    assert r8(room).state == State.RESOLVED
    case = driver.submit(
        actor=unit_a,
        kind=CaseKind.CHANGE_OF_USE,
        applicant=world.a.org,
        data={
            "rooms": [room.pk],
            "category": RoomCategory.SERVICE,
            "subtype": "值班室",
            "reason": "改为值班室，值班人员在此办公",
        },
    )
    preview = [(c.model, c.field, c.before, c.after) for c in KINDS.get(case.kind).preview(case)]
    assert preview == [
        ("房间", "用房类别", "办公室", "服务用房"),
        ("房间", "用途", "一般工作人员办公室", "值班室"),
        ("经批准的用途", "", "", f"用途变更（自 {TODAY:%Y-%m-%d} 起）"),
    ]
    case = driver.approve(case)
    assert case.state == CaseState.APPLIED
    room.refresh_from_db()
    assert (room.category, room.subtype) == (RoomCategory.SERVICE, "值班室")
    assert r8(room).state == State.RESOLVED  # the approved change covers it


def test_change_of_use_subtype_must_fit_the_category(world, unit_a):
    with pytest.raises(ValidationError) as exc:
        KINDS.get(CaseKind.CHANGE_OF_USE).draft(
            actor=unit_a,
            applicant=world.a.org,
            data={
                "rooms": [world.a.room.pk],
                "category": RoomCategory.OFFICE,
                "subtype": "会议室",
                "reason": "x",
            },
        )
    assert "新用途" in exc.value.message_dict["subtype"][0]


# 处置 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "status", "keeps_holder"),
    [("seal", RoomStatus.SEALED, True), ("sale", RoomStatus.PENDING_DISPOSAL, False)],
)
def test_disposal(world, unit_a, driver, method, status, keeps_holder):
    room = world.a.room
    data = {"method": method, "rooms": [room.pk], "reason": "房屋老旧"}
    if method == "sale":
        data["counterparty_name"] = "枣庄市国有资产运营公司"
    case = driver.approve(
        driver.submit(actor=unit_a, kind=CaseKind.DISPOSAL, applicant=world.a.org, data=data)
    )
    assert case.state == CaseState.APPLIED
    room.refresh_from_db()
    assert room.status == status
    assert (room.organization == world.a.org) is keeps_holder
    assert not Occupancy.objects.filter(room=room, ended_on__isnull=True).exists()
    assert Room.objects.filter(pk=room.pk).exists()  # history kept


def test_disposal_sale_needs_the_counterparty(world, unit_a):
    with pytest.raises(ValidationError) as exc:
        KINDS.get(CaseKind.DISPOSAL).draft(
            actor=unit_a,
            applicant=world.a.org,
            data={"method": "sale", "rooms": [world.a.room.pk], "reason": "x"},
        )
    assert "受让方" in exc.value.message_dict["counterparty_name"][0]


# 租用备案 ----------------------------------------------------------------------------------------
def test_lease_in_registers_the_property_counted_for_the_organization(world, unit_a, driver):
    data = {
        "name": "滕州市教育局租用办公点",
        "region": world.a.region.pk,
        "address": "滕州市龙泉路 88 号",
        "landlord": "滕州市某置业公司",
        "building_name": "综合楼",
        "floors_above": 5,
        "height_class": "multi",
        "building_area": "420.00",
        "usable_area": "300.00",
        "category": RoomCategory.OFFICE,
        "rent": "120000",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=730)).isoformat(),
        "agreement_number": "租赁 2026-01",
        "reason": "原办公楼加固期间过渡",
    }
    case = driver.submit(actor=unit_a, kind=CaseKind.LEASE_IN, applicant=world.a.org, data=data)
    preview = KINDS.get(case.kind).preview(case)
    assert [c.model for c in preview] == ["院落", "楼座", "房间", "经批准的用途", "单位"]
    assert preview[-1].before == "18.00 平方米，核定 321.00 平方米"
    assert preview[-1].after == "318.00 平方米，核定 321.00 平方米"
    case = driver.approve(case)
    assert case.state == CaseState.APPLIED
    compound = Compound.objects.get(name="滕州市教育局租用办公点")
    building = Building.objects.get(compound=compound)
    room = Room.objects.get(floor__building=building)
    assert (compound.owner_org, building.usable_area) == (world.a.org, Decimal("300.00"))
    assert (room.status, room.organization, room.usable_area) == (
        RoomStatus.RENTED,
        world.a.org,
        Decimal("300.00"),
    )
    assert ApprovedUse.objects.get(room=room).party == "滕州市某置业公司"
    assert case.result["rooms"] == [room.pk]


# 新建 / 购置 / 装修 --------------------------------------------------------------------------------
def test_construction_records_the_project(world, unit_a, driver):
    case = driver.submit(
        actor=unit_a,
        kind=CaseKind.CONSTRUCTION,
        applicant=world.a.org,
        data={
            "project_kind": "renovation",
            "name": "1号楼节能改造",
            "building": world.a.building.pk,
            "budget": "85.5",
            "funding": "财政预算",
            "necessity": "外墙保温层脱落，存在安全隐患",
        },
    )
    case = driver.approve(case)
    assert case.state == CaseState.APPLIED
    project = ConstructionProject.objects.get(case=case)
    assert (project.organization, project.building, project.budget) == (
        world.a.org,
        world.a.building,
        Decimal("85.50"),
    )
    assert "党政机关办公用房管理办法" in project.note


def test_construction_renovation_needs_a_building(world, unit_a):
    with pytest.raises(ValidationError) as exc:
        KINDS.get(CaseKind.CONSTRUCTION).draft(
            actor=unit_a,
            applicant=world.a.org,
            data={
                "project_kind": "renovation",
                "name": "x",
                "budget": "1",
                "funding": "y",
                "necessity": "z",
            },
        )
    assert exc.value.message_dict["building"] == ["涉及楼座：装修项目须选择楼座。"]


def test_disposal_of_a_whole_building(world, unit_a, driver):
    second = new_room(world, "102")
    data = {"method": "demolition", "building": world.a.building.pk, "reason": "危房拆除"}
    case = driver.submit(actor=unit_a, kind=CaseKind.DISPOSAL, applicant=world.a.org, data=data)
    assert "整栋拆除" in case.title
    assert sorted(case.payload["rooms"]) == sorted([world.a.room.pk, second.pk])
    assert case.subjects.filter(building=world.a.building).exists()
    case = driver.approve(case)
    assert case.state == CaseState.APPLIED
    assert set(
        Room.objects.filter(floor__building=world.a.building).values_list("status", flat=True)
    ) == {RoomStatus.PENDING_DISPOSAL}
    # A building holding another organization's room cannot be disposed of by this one.
    new_room(world, "103", organization=world.b.org)
    with pytest.raises(ValidationError) as exc:
        KINDS.get(CaseKind.DISPOSAL).draft(actor=unit_a, applicant=world.a.org, data=data)
    assert "间房间不由申请单位使用" in exc.value.message_dict["building"][0]


def test_lease_in_beyond_the_approved_total_is_shown_and_then_r6(world, unit_a, driver):
    data = {
        "name": "租用大楼",
        "region": world.a.region.pk,
        "address": "滕州市某路 9 号",
        "landlord": "某置业公司",
        "building_name": "主楼",
        "floors_above": 6,
        "height_class": "multi",
        "building_area": "500.00",
        "usable_area": "400.00",
        "category": RoomCategory.OFFICE,
        "rent": "200000",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + datetime.timedelta(days=365)).isoformat(),
        "agreement_number": "租赁 2026-02",
        "reason": "集中办公",
    }
    case = driver.submit(actor=unit_a, kind=CaseKind.LEASE_IN, applicant=world.a.org, data=data)
    preview = KINDS.get(case.kind).preview(case)
    # Above one office's plausible size (300 m²): registered as two rooms of 200 m².
    rooms = [c for c in preview if c.model == "房间"]
    assert [c.label.rsplit(" ", 1)[1] for c in rooms] == ["租用-01", "租用-02"]
    assert all("使用面积 200.00 平方米" in c.after for c in rooms)
    assert preview[-1].after == "418.00 平方米，核定 321.00 平方米，超过核定面积"
    assert not Warning.objects.filter(key=f"R6:organization:{world.a.org.pk}").exists()
    driver.approve(case)
    r6 = Warning.objects.get(key=f"R6:organization:{world.a.org.pk}")
    assert r6.state == State.OPEN and r6.figures["actual"] == "418.00"
    leased = Room.objects.filter(floor__building__compound__name="租用大楼")
    assert sorted(leased.values_list("usable_area", flat=True)) == [Decimal("200.00")] * 2
    assert ApprovedUse.objects.filter(room__in=leased, use=Use.RENTED).count() == 2


def test_a_hall_too_large_for_an_office_cannot_become_one(world, unit_a, driver):
    hall = new_room(
        world,
        "礼堂",
        category=RoomCategory.SERVICE,
        subtype="会议室",
        usable_area=Decimal("400.00"),
        building_area=Decimal("450.00"),
    )
    case = services.create_case(
        actor=unit_a,
        kind=CaseKind.CHANGE_OF_USE,
        applicant=world.a.org,
        data={"rooms": [hall.pk], "category": RoomCategory.OFFICE, "reason": "改办公室"},
    )
    with pytest.raises(ValidationError, match="超过办公室一间的合理上限 300 平方米"):
        services.submit_case(actor=unit_a, case=case)


def test_a_loan_to_another_districts_organization_is_refused_at_submission(world, city_bureau):
    case = services.create_case(
        actor=city_bureau,
        kind=CaseKind.LEND,
        applicant=world.a.org,
        data={**lend_data([world.a.room], world), "borrower": world.b.org.pk},
    )
    with pytest.raises(ValidationError, match="须由上级区划办理"):
        services.submit_case(actor=city_bureau, case=case)
