"""Rules R1–R9 as pure functions: table-driven over DESIGN §4.1 and §4.4, no database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ..rules import approved_total, evaluate, person_limit
from .builders import CELLS, JIANGSU, SHANDONG, Scene, ruleset


def found(scene: Scene, rule: str | None = None, **subjects):
    findings = evaluate(scene.facts(**subjects))
    return [f for f in findings if rule is None or f.rule == rule]


def keys(findings) -> set[str]:
    return {f.key for f in findings}


# R1: every cell of 表1, a sole occupant at and just above his limit ------------------------------
@pytest.mark.parametrize(
    ("level", "grade", "limit"), CELLS, ids=[f"{lv}-{g}" for lv, g, _ in CELLS]
)
def test_r1_sole_occupant_every_cell(level: str, grade: str, limit: Decimal):
    scene = Scene()
    org = scene.org(level)
    person = scene.person(org, grade)
    at_limit = scene.room(limit, org)
    scene.occupy(person, at_limit)
    assert found(scene, "R1") == []

    scene = Scene()
    org = scene.org(level)
    person = scene.person(org, grade)
    over = scene.room(limit + Decimal("0.01"), org)
    scene.occupy(person, over)
    [finding] = found(scene, "R1")
    assert finding.key == f"R1:room:{over.id}"
    assert finding.figures["limit"] == f"{limit:.2f}"
    assert finding.figures["actual"] == f"{limit + Decimal('0.01'):.2f}"
    assert finding.figures["excess"] == "0.01"
    assert finding.excess_area == Decimal("0.01")
    [occupant] = finding.figures["occupants"]
    assert (occupant["standard_level"], occupant["grade"]) == (level, grade)
    assert finding.clause == "第 R1 条"
    assert finding.ruleset["params"]["r1_tolerance_m2"] == "0"


def test_r1_tolerance_is_a_parameter():
    scene = Scene()
    scene.rulesets[SHANDONG] = ruleset(params={"r1_tolerance_m2": "0.5"})
    org = scene.org("county")
    scene.occupy(scene.person(org, "staff"), scene.room("9.50", org))
    assert found(scene, "R1") == []
    scene.occupy(scene.person(org, "staff"), scene.room("9.51", org))
    assert len(found(scene, "R1")) == 1


def test_r1_rank_title_gives_the_grade_when_the_grade_is_empty():
    scene = Scene()
    org = scene.org("county")
    person = scene.person(org, "", rank_title="一级调研员")
    limit = person_limit(scene.facts(), person)
    assert (limit.grade, limit.limit, limit.grade_source) == (
        "division",
        Decimal("30"),
        "rank_title",
    )


def test_r1_sub_provincial_standard_level_override():
    """表1 注1: a 副省级 city's departments take the 省级 row — 30 m² for a bureau head, not 42."""
    scene = Scene()
    department = scene.org("city", standard_level="province")
    head = scene.person(department, "bureau")
    room = scene.room("30.01", department)
    scene.occupy(head, room)
    [finding] = found(scene, "R1")
    assert finding.figures["limit"] == "30.00"
    assert finding.figures["occupants"][0]["standard_level"] == "province"
    # The same room in an ordinary city bureau is within its 42 m².
    scene = Scene()
    bureau = scene.org("city")
    scene.occupy(scene.person(bureau, "bureau"), scene.room("30.01", bureau))
    assert found(scene, "R1") == []


# R1: toilets (表1 注4) -----------------------------------------------------------------------------
def _leader_with_toilet(office: str, toilet: str, level: str = "province", grade: str = "minister"):
    scene = Scene()
    org = scene.org(level)
    leader = scene.person(org, grade)
    office_room = scene.room(office, org, subtype="领导人员办公室")
    toilet_room = scene.room(toilet, org, category="service", subtype="卫生间")
    scene.occupy(leader, office_room)
    scene.occupy(leader, toilet_room, primary=False)
    return scene, office_room, toilet_room


def test_r1_toilet_counts_inside_the_limit():
    scene, office, _ = _leader_with_toilet("48.00", "6.00")
    assert found(scene) == []  # 48 + 6 = 54, the 省部级正职 limit; a toilet is not an office
    scene, office, _ = _leader_with_toilet("48.01", "6.00")
    [finding] = found(scene, "R1")
    assert finding.key == f"R1:room:{office.id}"
    assert finding.figures["actual"] == "54.01"
    assert finding.figures["toilets"][0]["area"] == "6.00"


def test_r1_toilet_above_the_cap_or_of_a_grade_without_one():
    scene, _, toilet = _leader_with_toilet("40.00", "6.50")
    [finding] = found(scene, "R1")
    assert finding.key == f"R1:room:{toilet.id}" and finding.figures["toilet"] is True
    scene, _, toilet = _leader_with_toilet("20.00", "4.00", level="city", grade="bureau")
    [finding] = found(scene, "R1")
    assert finding.key == f"R1:room:{toilet.id}"
    assert "不属于可在办公室面积内配备卫生间" in finding.summary


# R1: shared rooms --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("grades", "area", "over"),
    [
        (("staff", "staff", "staff"), "27.00", False),
        (("staff", "staff", "staff"), "27.01", True),
        (("section", "vice_section", "staff"), "39.00", False),  # county: 18 + 12 + 9
        (("section", "vice_section", "staff"), "39.01", True),
        (("staff", "staff"), "18.01", True),
    ],
)
def test_r1_shared_room_against_the_sum_of_limits(grades, area, over):
    scene = Scene()
    org = scene.org("county")
    room = scene.room(area, org)
    for grade in grades:
        scene.occupy(scene.person(org, grade), room)
    findings = found(scene, "R1")
    assert bool(findings) is over
    if over:
        assert len(findings[0].figures["occupants"]) == len(grades)
        assert "合用" in findings[0].summary


def test_r1_room_without_a_figure_for_an_occupant_is_data_quality():
    scene = Scene()
    township = scene.org("township")  # the national table leaves 乡级 to the province
    person = scene.person(township, "section")
    scene.occupy(person, scene.room("20.00", township))
    assert found(scene, "R1") == []
    [r9] = found(scene, "R9")
    assert r9.key == f"R9:person:{person.id}" and "乡级" in r9.summary


@given(
    grades=st.lists(st.sampled_from(["section", "vice_section", "staff"]), min_size=1, max_size=4),
    cents=st.integers(min_value=100, max_value=10_000),
)
def test_r1_property_over_exactly_when_area_exceeds_the_sum(grades, cents):
    limits = {"section": 18, "vice_section": 12, "staff": 9}
    scene = Scene()
    org = scene.org("county")
    area = Decimal(cents) / 100
    room = scene.room(area, org)
    for grade in grades:
        scene.occupy(scene.person(org, grade), room)
    assert bool(found(scene, "R1")) is (area > sum(limits[g] for g in grades))


# R2 / R4: second offices -------------------------------------------------------------------------
def _with_post(second_area: str, *, post: str | None = "current", offices: int = 2):
    scene = Scene()
    home = scene.org("county")
    other = scene.org("county")
    person = scene.person(home, "division")  # 30 m² at home
    scene.occupy(person, scene.room("25.00", home))
    if post == "current":
        scene.post(person, other, "vice_division")  # 24 m² in the post's organization
    elif post is not None:
        scene.post(person, other, "vice_division", ended=scene.days_ago(int(post)))
    second = scene.room(second_area, other)
    scene.occupy(person, second, primary=False)
    for _ in range(offices - 2):
        scene.occupy(person, scene.room("10.00", other), primary=False)
    return scene, person, second


def test_r2_second_office_for_a_current_post_smaller_than_its_limit():
    scene, _, _ = _with_post("23.99")
    assert found(scene) == []


def test_r2_second_office_not_smaller_than_the_post_limit():
    scene, person, second = _with_post("24.00")
    [finding] = found(scene, "R2")
    assert finding.key == f"R2:person:{person.id}" and finding.room_id == second.id
    assert (finding.figures["actual"], finding.figures["limit"]) == ("24.00", "24.00")
    assert finding.figures["entitlement"]["basis"] == "兼职"


def test_r2_second_office_without_any_post():
    scene, _person, second = _with_post("10.00", post=None)
    [finding] = found(scene, "R2")
    assert finding.figures["unit"] == "间" and finding.room_id == second.id
    assert found(scene, "R4") == []


def test_r2_a_third_office_is_never_allowed():
    scene, _person, _ = _with_post("10.00", offices=3)
    [finding] = found(scene, "R2")
    assert finding.figures["actual"] == 3 and len(finding.figures["offices"]) == 3


def test_r2_second_office_counts_at_the_post_limit_in_r1():
    """The post's row and grade apply to the second office: 24 m² there, not his own 30."""
    scene, _, second = _with_post("23.00")
    facts = scene.facts()
    from ..rules import check_room

    check = check_room(facts, facts.rooms[second.id])
    assert check.limit == Decimal("24")


@pytest.mark.parametrize(("ended_days", "flagged"), [(59, False), (60, False), (61, True)])
def test_r4_second_office_after_the_post_ended(ended_days, flagged):
    scene, _person, second = _with_post("10.00", post=str(ended_days))
    findings = found(scene, "R4")
    assert bool(findings) is flagged
    assert found(scene, "R2") == []  # an ended post is R4's business, not R2's
    if flagged:
        assert findings[0].figures["actual"] == ended_days
        assert findings[0].figures["limit"] == 60
        assert findings[0].room_id == second.id


# R3 -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "days", "flagged"), [
    ("retired", 29, False), ("retired", 30, False), ("retired", 31, True),
    ("transferred", 29, False), ("transferred", 31, True), ("seconded", 400, False),
])  # fmt: skip
def test_r3_retired_or_transferred_staff_still_holding_an_office(status, days, flagged):
    scene = Scene()
    org = scene.org("county")
    person = scene.person(
        org, "staff", employment_status=status, status_changed_on=scene.days_ago(days)
    )
    scene.occupy(person, scene.room("9.00", org))
    findings = found(scene, "R3")
    assert bool(findings) is flagged
    if flagged:
        assert findings[0].figures["actual"] == days and findings[0].figures["limit"] == 30


def test_r3_nothing_when_the_office_was_handed_back():
    scene = Scene()
    org = scene.org("county")
    scene.person(org, "staff", employment_status="retired", status_changed_on=scene.days_ago(90))
    assert found(scene) == []


# R5 -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("category", "days", "flagged"),
    [
        ("office", 183, False),
        ("office", 184, True),
        ("service", 400, True),
        ("equipment", 400, False),
    ],
)
def test_r5_idle_rooms(category, days, flagged):
    scene = Scene()
    org = scene.org("county")
    room = scene.room(
        "20.00", org, category=category, status="idle", status_since=scene.days_ago(days)
    )
    findings = found(scene, "R5")
    assert bool(findings) is flagged
    if flagged:
        assert findings[0].key == f"R5:room:{room.id}" and findings[0].figures["actual"] == days


# R6 -----------------------------------------------------------------------------------------------
def test_r6_organization_total_against_a_plus_b():
    scene = Scene()
    org = scene.org("county", staffing=10, leadership=(("division", 1), ("vice_division", 2)))
    # A = 30 + 2 × 24 + 7 × 9 = 141; B = 6 × 10 = 60; approved 201.
    scene.uses(org, rooms=10, office="141.00", service="60.00", total="201.00")
    approved = approved_total(scene.facts(), org)
    assert (approved.a, approved.b, approved.approved) == (Decimal(141), Decimal(60), Decimal(201))
    # S = (A + B) × 1.09 / 0.65 + C
    assert approved.s == (Decimal(201) * Decimal("1.09") / Decimal("0.65")).quantize(
        Decimal("0.01")
    )
    assert found(scene, "R6") == []
    scene.uses(org, rooms=10, office="141.00", service="60.01", total="201.01")
    [finding] = found(scene, "R6")
    assert (finding.figures["limit"], finding.figures["excess"]) == ("201.00", "0.01")


def test_r6_no_staffing_is_data_quality_not_r6():
    scene = Scene()
    org = scene.org("county", staffing=0)
    scene.uses(org, rooms=2, office="40.00", total="40.00")
    assert found(scene, "R6") == []
    assert keys(found(scene, "R9")) == {f"R9:organization:{org.id}"}


# R7 -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("days", "rooms", "flagged"), [(89, 3, False), (91, 3, True), (400, 0, False)]
)
def test_r7_abolished_organization_still_holding_rooms(days, rooms, flagged):
    scene = Scene()
    org = scene.org("county", status="abolished", abolished_on=scene.days_ago(days))
    if rooms:
        scene.uses(org, rooms=rooms, office="50.00", total="80.00")
    findings = found(scene, "R7")
    assert bool(findings) is flagged
    if flagged:
        assert findings[0].figures["actual"] == rooms and findings[0].figures["area"] == "80.00"


# R8 -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "flagged"), [("lent", True), ("leased_out", True), ("borrowed", False), ("rented", False)])  # fmt: skip
def test_r8_lent_or_leased_rooms(status, flagged):
    scene = Scene()
    org = scene.org("county")
    scene.room("30.00", org, category="service", status=status, status_since=scene.days_ago(10))
    findings = found(scene, "R8")
    assert bool(findings) is flagged
    if flagged:
        assert "审批" in findings[0].figures["note"]


def test_r8_occupied_room_of_another_category_is_a_change_of_use():
    scene = Scene()
    org = scene.org("county")
    meeting = scene.room("30.00", org, category="service", subtype="会议室")
    scene.occupy(scene.person(org), meeting)
    [finding] = found(scene, "R8")
    assert "改变用途" in finding.summary


@pytest.mark.parametrize("status", ["lent", "leased_out"])
def test_r8_an_approval_in_force_clears_the_room_and_a_lapsed_one_is_named(status):
    scene = Scene()
    org = scene.org("county")
    room = scene.room(
        "30.00", org, category="service", status=status, status_since=scene.days_ago(10)
    )
    # An approval of another use, or one not yet started, covers nothing.
    other = "leased_out" if status == "lent" else "lent"
    scene.approve(room, other, scene.days_ago(10))
    scene.approve(room, status, scene.today + datetime.timedelta(days=1))
    [finding] = found(scene, "R8")
    assert "未关联经批准的审批事项" in finding.summary
    scene.approve(room, status, scene.days_ago(100), scene.days_ago(1), "枣机管借〔2026〕3号")
    [finding] = found(scene, "R8")
    assert f"期限已于 {scene.days_ago(1):%Y-%m-%d} 届满（枣机管借〔2026〕3号）" in finding.summary
    scene.approve(room, status, scene.days_ago(10), scene.today)  # its last day is today
    assert found(scene, "R8") == []


def test_r8_an_approved_change_of_use_clears_the_occupied_room():
    scene = Scene()
    org = scene.org("county")
    meeting = scene.room("30.00", org, category="service", subtype="会议室")
    scene.occupy(scene.person(org), meeting)
    scene.approve(meeting, "lent", scene.days_ago(5))
    assert len(found(scene, "R8")) == 1
    scene.approve(meeting, "changed_use", scene.days_ago(5))
    assert found(scene, "R8") == []


# R9 -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("rooms", "flagged"), [("1030.00", False), ("1030.01", True)])
def test_r9_rooms_above_the_building_beyond_the_tolerance(rooms, flagged):
    scene = Scene()
    building = scene.building("1000.00", rooms)
    findings = found(scene, "R9")
    assert bool(findings) is flagged
    if flagged:
        assert findings[0].key == f"R9:building:{building.id}"


def test_r9_missing_status_date():
    scene = Scene()
    org = scene.org("county")
    room = scene.room("20.00", org, status="lent")
    assert keys(found(scene, "R9")) == {f"R9:room:{room.id}"}


@pytest.mark.parametrize(
    ("registered", "surveyed", "flagged"),
    [
        ("20.60", "20.00", False),  # 3 % of the surveyed area: within the tolerance
        ("20.61", "20.00", True),
        ("19.39", "20.00", True),  # below the surveyed area counts as well
        ("30.00", None, False),  # never surveyed: nothing to compare
    ],
)
def test_r9_registered_area_far_from_the_surveyed_area(registered, surveyed, flagged):
    scene = Scene()
    org = scene.org("county")
    room = scene.room(registered, org, surveyed_area=surveyed and Decimal(surveyed))
    findings = found(scene, "R9")
    assert bool(findings) is flagged
    if flagged:
        [finding] = findings
        assert finding.key == f"R9:room:{room.id}" and "测绘面积" in finding.summary
        assert finding.figures["usable_area"] == registered
        assert finding.figures["surveyed_area"] == surveyed
        assert finding.figures["tolerance"] == "0.03"


# Subjects and places ----------------------------------------------------------------------------
def test_only_subjects_are_judged():
    scene = Scene()
    org = scene.org("county")
    over = scene.room("50.00", org)
    scene.occupy(scene.person(org), over)
    assert found(scene, rooms=[], persons=[], orgs=[]) == []
    assert len(found(scene, "R1", rooms=[over.id])) == 1


def test_a_local_township_row_changes_verdicts_in_its_province_only():
    scene = Scene()
    scene.rulesets[SHANDONG] = ruleset(township={"section": 18, "vice_section": 12, "staff": 9})
    for region in (SHANDONG, JIANGSU):
        town = scene.org("township", region=region)
        scene.occupy(scene.person(town, "section"), scene.room("18.01", town))
    findings = found(scene)
    r1 = [f for f in findings if f.rule == "R1"]
    assert len(r1) == 1 and r1[0].region_id == 1  # Shandong: over its 18 m²
    assert r1[0].ruleset["versions"][1]["label"] == "测试乡级地方标准"
    r9 = [f for f in findings if f.rule == "R9"]
    assert len(r9) == 1 and r9[0].region_id == 2  # Jiangsu: no 乡级 row, cannot be judged
