"""Reads: the definition in force, to-do lists and counts, notifications, viewer actions."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from ...framework import clock
from .. import selectors, services
from ..choices import CaseKind
from ..models import Notification, ProcessDefinition
from .conftest import KIND, TWO_STEPS, make_definition


def test_definition_for_takes_the_nearest_region_then_national(world, definition):
    national = ProcessDefinition.objects.get(kind=KIND, region__isnull=True)
    assert selectors.definition_for(KIND, world.a.region) == definition
    county = make_definition(world.a.region, TWO_STEPS)
    assert selectors.definition_for(KIND, world.a.region) == county
    assert selectors.definition_for(KIND, world.b.region) == definition
    # Not yet in force, or inactive: not taken.
    ProcessDefinition.objects.filter(pk=county.pk).update(
        effective_from=clock.today() + datetime.timedelta(days=1)
    )
    ProcessDefinition.objects.filter(pk=definition.pk).update(is_active=False)
    assert selectors.definition_for(KIND, world.a.region) == national
    assert selectors.definition_for(KIND, None) == national
    ProcessDefinition.objects.filter(kind=KIND).update(is_active=False)
    with pytest.raises(ValidationError) as exc:
        selectors.definition_for(KIND, world.a.region)
    assert "用途变更" in exc.value.message_dict["kind"][0]


def test_every_kind_has_a_national_default(db):
    national = ProcessDefinition.objects.filter(region__isnull=True, is_active=True)
    assert sorted(national.values_list("kind", flat=True)) == sorted(CaseKind.values)
    for definition in national.prefetch_related("steps"):
        steps = list(definition.steps.all())
        assert steps, definition
        assert definition.number_prefix.startswith("机管")
        for step in steps:
            assert step.actors and "approve" in step.actions
    waiver = national.get(kind=CaseKind.WARNING_WAIVER).steps.get()
    assert (waiver.actors, waiver.needs_signature) == (["region_leader"], True)
    disposal = national.get(kind=CaseKind.DISPOSAL).steps.get(order=1)
    assert disposal.actors == ["supervising_admin", "region_bureau"]


def test_definitions_are_read_by_region(world, definition, unit_a, unit_b, bureau_a, city_bureau):
    county = make_definition(world.a.region, TWO_STEPS)
    national = ProcessDefinition.objects.filter(region__isnull=True)
    seen_a = set(ProcessDefinition.objects.restrict(unit_a))
    assert {definition, county} <= seen_a and set(national) <= seen_a
    assert county not in set(ProcessDefinition.objects.restrict(unit_b))
    assert set(ProcessDefinition.objects.restrict(city_bureau, "change")) == {definition, county}
    assert set(ProcessDefinition.objects.restrict(bureau_a, "change")) == {county}
    assert not ProcessDefinition.objects.restrict(unit_a, "change").exists()


def test_todo_lists_overdue_first_and_counts(submitted, bureau_a, leader_a, clock):
    first = submitted()
    clock.advance(datetime.timedelta(days=3))
    second = submitted()
    assert [t.case_id for t in selectors.todo_for(bureau_a)] == [first.pk, second.pk]
    assert selectors.todo_counts(bureau_a) == (2, 0)
    clock.advance(datetime.timedelta(days=20))
    assert selectors.todo_counts(bureau_a) == (2, 2)
    assert selectors.todo_counts(leader_a) == (0, 0)


def test_notifications_unread_and_marked_read(submitted, bureau_a, unit_a):
    submitted()
    submitted()
    assert selectors.unread_count(bureau_a) == 2
    one = Notification.objects.filter(user=bureau_a).first()
    assert services.mark_read(user=bureau_a, ids=[one.pk]) == 1
    assert selectors.unread_count(bureau_a) == 1
    assert services.mark_read(user=unit_a, ids=[one.pk]) == 0  # someone else's
    assert services.mark_read(user=bureau_a) == 1
    assert selectors.unread_count(bureau_a) == 0


def test_viewer_actions_through_the_life_cycle(world, new_case, unit_a, bureau_a, supervisor_a):
    case = new_case()
    assert selectors.viewer_actions(unit_a, case) == ["edit", "submit", "attach"]
    assert selectors.viewer_actions(bureau_a, case) == []
    assert selectors.viewer_actions(supervisor_a, case) == []
    case = services.submit_case(actor=unit_a, case=case)
    assert selectors.viewer_actions(unit_a, case) == ["withdraw", "attach"]
    case = services.decide(actor=bureau_a, case=case, decision="approve")
    assert selectors.viewer_actions(unit_a, case) == ["attach"]
    assert selectors.viewer_actions(bureau_a, case) == []


def test_preview_lists_the_kinds_changes(submitted):
    case = submitted()
    (change,) = selectors.preview(case)
    assert (change.field, change.before, change.after) == ("用途", "一般工作人员办公室", "档案室")


def test_stale_subjects_read_versions_in_bulk(world, submitted, django_assert_max_num_queries):
    from ...registry.models import Room
    from ...registry.tests import factories as f
    from ..models import CaseSubject

    case = submitted()
    rooms = [
        f.RoomFactory(floor=world.a.floor, organization=world.a.org, number=f"B{i}")
        for i in range(30)
    ]
    CaseSubject.objects.bulk_create(
        CaseSubject(case=case, room=room, label=f"房间 {room.number}", version_seen=room.version)
        for room in rooms
    )
    CaseSubject.objects.create(
        case=case, organization=world.a.org, label="申请单位", version_seen=world.a.org.version
    )
    with django_assert_max_num_queries(3):  # subjects, rooms, organizations
        assert selectors.stale_subjects(case) == []
    Room.objects.filter(pk=rooms[7].pk).update(version=rooms[7].version + 1)
    assert selectors.stale_subjects(case) == [
        "房间“房间 B7”在提交后已被修改，请退回申请单位核实后重新提交。"
    ]
