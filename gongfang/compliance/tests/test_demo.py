"""The small demo city: every planted case found with its rule and figures, nothing else on rooms.

The plan says which rooms, persons and organizations were planted (``plan.planted``); rows are
written in plan order, so the n-th planned room is the n-th room by id.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from ...registry.demo.builder import build_plan
from ...registry.demo.plan import Plan
from ...registry.demo.profiles import default_anchor, part_specs
from ...registry.models import Organization, Person, Room
from ..models import State, Subject, Warning

SEED = 2026


@pytest.fixture
def demo(db) -> tuple[Plan, dict[str, list[int]]]:
    call_command("load_demo", profile="small", seed=SEED, stdout=io.StringIO())
    plan = build_plan(part_specs("small")[0], seed=SEED, anchor=default_anchor())
    ids = {
        "room": list(Room.objects.order_by("pk").values_list("pk", flat=True)),
        "person": list(Person.objects.order_by("pk").values_list("pk", flat=True)),
        "organization": list(Organization.objects.order_by("pk").values_list("pk", flat=True)),
    }
    return plan, ids


def test_every_planted_case_is_found_with_its_rule_and_figures(demo):
    plan, ids = demo
    open_keys = set(Warning.objects.filter(state=State.OPEN).values_list("key", flat=True))
    occupants = plan.current_occupants()
    for case in plan.planted:
        for key in case.keys:
            obj_id = ids[case.key_kind][key]
            expected = f"{case.rule}:{case.key_kind}:{obj_id}"
            if not case.flagged:  # R2-post: a second office for a current post, compliant
                assert not Warning.objects.filter(person_id=obj_id).exists(), case.code
                continue
            assert expected in open_keys, (case.code, expected)
            warning = Warning.objects.get(key=expected)
            if case.rule == "R1":
                room = plan.rooms[key]
                limit = sum(plan.office_limit_of(plan.persons[p], room) for p in occupants[key])
                assert Decimal(warning.figures["limit"]) == limit
                assert Decimal(warning.figures["actual"]) == room.usable_area
                assert warning.excess_area == room.usable_area - limit
                assert len(warning.figures["occupants"]) == len(occupants[key])
            elif case.rule == "R7":
                assert warning.figures["actual"] == case.rooms
            elif case.rule in ("R3", "R4"):
                assert warning.figures["actual"] > warning.figures["limit"]
            assert warning.clause and warning.ruleset["versions"]


def test_no_warning_on_the_compliant_rooms(demo):
    plan, ids = demo
    planted_rooms = {
        ids["room"][key] for case in plan.planted if case.key_kind == "room" for key in case.keys
    }
    # Second offices of R2/R4 persons are named on their person's warning, not warned as rooms.
    room_warnings = set(
        Warning.objects.filter(subject=Subject.ROOM).values_list("room_id", flat=True)
    )
    assert room_warnings == planted_rooms
    assert not Warning.objects.filter(rule="R9").exists()
    r1_rooms = set(Warning.objects.filter(rule="R1").values_list("room_id", flat=True))
    planted_r1 = {
        ids["room"][key] for case in plan.planted if case.rule == "R1" for key in case.keys
    }
    assert r1_rooms == planted_r1


def test_lowering_a_planted_room_to_its_limit_resolves_it(demo):
    from ...accounts.models import User
    from ...framework.services import service_for

    warning = Warning.objects.filter(rule="R1").order_by("pk").first()
    room = warning.room
    limit = Decimal(warning.figures["limit"])
    bureau = User.objects.get(username="zz_bureau")
    service_for(Room).update(actor=bureau, instance=room, data={"usable_area": limit})
    warning.refresh_from_db()
    assert warning.state == State.RESOLVED
