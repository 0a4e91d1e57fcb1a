"""The engine's life cycle: draft, submit, decisions step by step, signatures, effects."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ...framework import clock
from ...framework.models import ObjectChange
from ...framework.workdays import add_workdays
from ...registry.models import Room
from .. import selectors, services
from ..choices import DECISIONS, Action, CaseState, TaskState
from ..models import Case, CaseAction, Notification, Signature, Task
from .conftest import KIND, sign


def events(case) -> list[str]:
    return list(
        ObjectChange.objects.filter(event__startswith="case.", changed_object_id=case.pk)
        .order_by("pk")
        .values_list("event", flat=True)
    )


def test_a_case_runs_from_draft_to_applied(world, new_case, unit_a, bureau_a, leader_a, spec):
    case = new_case()
    assert case.state == CaseState.DRAFT and case.number == ""
    assert case.region == world.a.region
    room = Room.objects.get(pk=case.payload["room"])
    assert [s.room_id for s in case.subjects.all()] == [room.pk]

    case = services.submit_case(actor=unit_a, case=case, expected_version=case.version)
    year = clock.today().year
    assert case.number == f"枣机管变〔{year}〕1号"
    assert case.state == CaseState.SUBMITTED and case.step_order == 1
    assert len(case.content_hash) >= 64
    assert case.subjects.get().version_seen == room.version
    task = case.tasks.get()
    assert (task.role, task.region, task.organization) == ("bureau_admin", world.a.region, None)
    assert task.due_on == add_workdays(clock.today(), 5) == case.deadline
    notice = Notification.objects.get(user=bureau_a, case=case)
    assert notice.url == case.get_absolute_url() and notice.url.endswith(f"/{case.pk}/")
    assert "机关事务管理局审核" in notice.message and notice.read_at is None
    assert [t.pk for t in selectors.todo_for(bureau_a)] == [task.pk]
    assert selectors.todo_counts(bureau_a) == (1, 0)
    assert selectors.viewer_actions(bureau_a, case) == ["approve", "return", "reject", "attach"]
    assert selectors.viewer_actions(unit_a, case) == ["withdraw", "attach"]

    case = services.decide(actor=bureau_a, case=case, decision="approve", comment="同意")
    assert case.state == CaseState.IN_REVIEW and case.step_order == 2
    task.refresh_from_db()
    assert (task.state, task.done_by, task.decision) == (TaskState.DONE, bureau_a, "approve")
    leader_task = case.tasks.get(state=TaskState.OPEN)
    assert (leader_task.role, leader_task.region) == ("leader", world.a.region)
    assert selectors.needs_signature(leader_a, case)

    case = services.decide(actor=leader_a, case=case, decision="approve", **sign(leader_a))
    assert case.state == CaseState.APPLIED
    assert case.applied_at is not None and case.decided_at is not None
    room.refresh_from_db()
    assert room.subtype == "档案室"
    assert case.result["subtype"] == "档案室"
    assert case.result["changes"][0]["after"] == "档案室"
    signature = Signature.objects.get(case=case)
    assert signature.signer == leader_a and signature.content_hash == case.content_hash
    assert signature.method == "password+totp"
    assert (
        CaseAction.objects.get(case=case, action=Action.APPROVE, actor=leader_a).signature
        == signature
    )
    assert events(case) == [
        "case.create",
        "case.submit",
        "case.approve",
        "case.approve",
        "case.apply",
    ]
    assert Notification.objects.filter(user=unit_a, case=case, message__contains="已生效").exists()
    assert selectors.todo_counts(leader_a) == (0, 0)


# Who may decide at which step ------------------------------------------------------------------
ROLES = [
    "unit_a",
    "unit_b",
    "bureau_a",
    "bureau_b",
    "city_bureau",
    "leader_a",
    "city_leader",
    "supervisor_a",
]
# step -> the one role fixture that decides there (the nearest staffed region is 滕州市).
DECIDER = {1: "bureau_a", 2: "leader_a"}


@pytest.mark.parametrize("step", [1, 2])
@pytest.mark.parametrize("role", ROLES)
def test_role_step_matrix(request, submitted, bureau_a, leader_a, city_leader, role, step):
    case = submitted()
    if step == 2:
        case = services.decide(actor=bureau_a, case=case, decision="approve")
    actor = request.getfixturevalue(role)
    kwargs = sign(actor) if role in ("leader_a", "city_leader") else {}
    version = Case.objects.get(pk=case.pk).version
    expected_actions = ["approve", "return", "reject"] if role == DECIDER[step] else []
    assert [a for a in selectors.viewer_actions(actor, case) if a in DECISIONS] == (
        expected_actions
    )
    if role == DECIDER[step]:
        decided = services.decide(actor=actor, case=case, decision="approve", **kwargs)
        assert decided.version > version
        assert decided.state == (CaseState.IN_REVIEW if step == 1 else CaseState.APPLIED)
    else:
        with pytest.raises(PermissionDenied):
            services.decide(actor=actor, case=case, decision="approve", **kwargs)
        assert Case.objects.get(pk=case.pk).version == version
        assert not Task.objects.filter(case=case, done_by=actor, step__order=step).exists()


def test_a_decision_not_offered_by_the_step_is_refused(world, spec, unit_a, bureau_a, new_case):
    from .conftest import make_definition

    case = new_case()
    make_definition(world.a.region, [("审核", ["region_bureau"], ["approve", "return"], False)])
    case = services.submit_case(actor=unit_a, case=case)
    with pytest.raises(ValidationError) as exc:
        services.decide(actor=bureau_a, case=case, decision="reject", comment="不符合规定")
    assert "decision" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.decide(actor=bureau_a, case=case, decision="archive")


def test_stale_expected_version_is_refused(submitted, bureau_a):
    case = submitted()
    with pytest.raises(ValidationError):
        services.decide(
            actor=bureau_a, case=case, decision="approve", expected_version=case.version - 1
        )
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED


# Return, resubmit, withdraw, reject -----------------------------------------------------------
def test_returned_case_is_edited_and_resubmitted_from_step_one(
    world, submitted, unit_a, bureau_a, leader_a, city_bureau
):
    case = submitted()
    number, definition = case.number, case.definition_id
    case = services.decide(actor=bureau_a, case=case, decision="approve")
    with pytest.raises(ValidationError) as exc:
        services.decide(actor=leader_a, case=case, decision="return", **sign(leader_a))
    assert "comment" in exc.value.message_dict
    case = services.decide(
        actor=leader_a, case=case, decision="return", comment="用途表述不规范", **sign(leader_a)
    )
    assert case.state == CaseState.RETURNED and case.step_order is None
    assert not case.tasks.filter(state=TaskState.OPEN).exists()
    assert Notification.objects.filter(user=unit_a, message__contains="用途表述不规范").exists()
    assert selectors.viewer_actions(unit_a, case)[:2] == ["edit", "submit"]
    assert selectors.viewer_actions(bureau_a, case) == []

    # The definition is revised meanwhile: the returned case keeps its revision.
    services.revise_definition(
        actor=city_bureau,
        definition=case.definition,
        data={},
        steps=[{"name": "审核", "actors": ["region_bureau"], "actions": ["approve"]}],
    )
    room = case.payload["room"]
    case = services.update_case(
        actor=unit_a,
        case=case,
        data={"room": room, "subtype": "资料室"},
        expected_version=case.version,
    )
    assert case.payload["subtype"] == "资料室" and case.state == CaseState.RETURNED
    case = services.submit_case(actor=unit_a, case=case)
    assert case.state == CaseState.SUBMITTED and case.step_order == 1
    assert case.number == number and case.definition_id == definition
    assert case.actions.filter(action=Action.RESUBMIT).count() == 1
    assert case.tasks.filter(state=TaskState.OPEN).get().role == "bureau_admin"
    case = services.decide(actor=bureau_a, case=case, decision="approve")
    assert case.step_order == 2  # the old revision's second step still runs
    case = services.decide(actor=leader_a, case=case, decision="approve", **sign(leader_a))
    assert case.state == CaseState.APPLIED
    assert Room.objects.get(pk=room).subtype == "资料室"


def test_editing_is_only_for_drafts_and_returned_cases(submitted, unit_a):
    case = submitted()
    with pytest.raises(ValidationError):
        services.update_case(actor=unit_a, case=case, data={**case.payload, "subtype": "库房"})
    with pytest.raises(ValidationError):
        services.submit_case(actor=unit_a, case=case)


def test_withdraw_only_before_the_first_decision(submitted, unit_a, bureau_a):
    case = submitted()
    with pytest.raises(ValidationError):  # a reviewing bureau is not the applicant
        services.withdraw_case(actor=bureau_a, case=case)
    case = services.withdraw_case(actor=unit_a, case=case, comment="申请有误")
    assert case.state == CaseState.WITHDRAWN
    assert set(case.tasks.values_list("state", flat=True)) == {TaskState.CANCELLED}
    assert selectors.todo_counts(bureau_a) == (0, 0)
    assert Notification.objects.filter(user=bureau_a, message__contains="撤回").exists()

    other = services.decide(actor=bureau_a, case=submitted(), decision="approve")
    with pytest.raises(ValidationError):
        services.withdraw_case(actor=unit_a, case=other)
    assert Case.objects.get(pk=other.pk).state == CaseState.IN_REVIEW


def test_reject_closes_the_case(submitted, unit_a, bureau_a):
    case = submitted()
    case = services.decide(actor=bureau_a, case=case, decision="reject", comment="不符合标准")
    assert case.state == CaseState.REJECTED and case.decided_at is not None
    assert selectors.viewer_actions(unit_a, case) == []
    with pytest.raises(ValidationError):
        services.decide(actor=bureau_a, case=case, decision="approve")
    with pytest.raises(ValidationError):
        services.submit_case(actor=unit_a, case=case)


# Countersign ----------------------------------------------------------------------------------
@pytest.fixture
def countersign(world, spec):
    from ...registry.tests import factories as f
    from ...registry.tests.world import make_user
    from .conftest import KIND, make_definition

    make_definition(
        world.city,
        [
            (
                "会签",
                ["supervising_admin", "region_bureau"],
                ["approve", "return", "reject"],
                False,
            ),
            ("领导签批", ["region_leader"], ["approve", "return", "reject"], True),
        ],
        revision=2,
    )
    sub_admin = make_user("unit_sub", ["unit_admin"], scope_organization=world.a.sub_org)
    room = f.RoomFactory(floor=world.a.floor, organization=world.a.sub_org, number="S1")
    case = services.create_case(
        actor=sub_admin,
        kind=KIND,
        applicant=world.a.sub_org,
        data={"room": room.pk, "subtype": "会议室"},
    )
    return services.submit_case(actor=sub_admin, case=case)


def test_parallel_countersign_waits_for_every_party(world, countersign, unit_a, bureau_a, leader_a):
    case = countersign
    tasks = {t.rule: t for t in case.tasks.all()}
    assert set(tasks) == {"supervising_admin", "region_bureau"}
    assert tasks["supervising_admin"].organization == world.a.org  # the 主管部门
    assert tasks["region_bureau"].region == world.a.region
    case = services.decide(actor=bureau_a, case=case, decision="approve")
    assert case.state == CaseState.IN_REVIEW and case.step_order == 1
    assert case.tasks.filter(state=TaskState.OPEN).get().rule == "supervising_admin"
    with pytest.raises(PermissionDenied):  # done already
        services.decide(actor=bureau_a, case=case, decision="approve")
    case = services.decide(actor=unit_a, case=case, decision="approve")
    assert case.step_order == 2
    assert case.tasks.filter(state=TaskState.OPEN).get().role == "leader"


def test_a_countersigner_returning_cancels_the_other_task(countersign, unit_a, bureau_a):
    case = services.decide(actor=unit_a, case=countersign, decision="return", comment="请补充")
    assert case.state == CaseState.RETURNED
    assert case.tasks.filter(state=TaskState.CANCELLED).get().rule == "region_bureau"
    assert selectors.todo_counts(bureau_a) == (0, 0)


# Definitions revised while cases run ----------------------------------------------------------
def test_definition_revised_while_cases_run(
    world, definition, submitted, unit_a, bureau_a, city_bureau, leader_a
):
    running = submitted()
    new = services.revise_definition(
        actor=city_bureau,
        definition=definition,
        data={"name": "简化的用途变更审批"},
        steps=[
            {
                "name": "机关事务管理局审批",
                "actors": ["region_bureau"],
                "actions": ["approve", "return"],
                "time_limit_days": 3,
            }
        ],
    )
    assert (new.revision, new.region, new.is_active) == (2, world.city, True)
    definition.refresh_from_db()
    assert not definition.is_active
    assert selectors.definition_for(definition.kind, world.a.region) == new
    assert ObjectChange.objects.filter(event="case.definition_revise").exists()

    later = submitted()
    assert later.definition == new
    assert later.tasks.get().due_on == add_workdays(clock.today(), 3)
    later = services.decide(actor=bureau_a, case=later, decision="approve")
    assert later.state == CaseState.APPLIED  # one step only

    running = services.decide(actor=bureau_a, case=running, decision="approve")
    assert running.definition == definition and running.step_order == 2
    running = services.decide(actor=leader_a, case=running, decision="approve", **sign(leader_a))
    assert running.state == CaseState.APPLIED


def test_a_revision_in_force_later_leaves_the_current_one_until_then(
    world, definition, city_bureau, clock
):
    later = clock.today() + datetime.timedelta(days=7)
    new = services.revise_definition(
        actor=city_bureau,
        definition=definition,
        data={"effective_from": later},
        steps=[{"name": "审批", "actors": ["region_bureau"], "actions": ["approve"]}],
    )
    definition.refresh_from_db()
    assert definition.is_active
    assert selectors.definition_for(definition.kind, world.a.region) == definition
    clock.advance(datetime.timedelta(days=7))
    assert selectors.definition_for(definition.kind, world.a.region) == new


def test_who_may_revise_a_definition(world, definition, unit_a, bureau_a, city_bureau):
    steps = [{"name": "审批", "actors": ["region_bureau"], "actions": ["approve"]}]
    with pytest.raises(PermissionDenied):
        services.revise_definition(actor=unit_a, definition=definition, data={}, steps=steps)
    with pytest.raises(ValidationError) as exc:
        services.revise_definition(
            actor=city_bureau,
            definition=definition,
            data={},
            steps=[{"name": "审批", "actors": []}],
        )
    assert "steps" in exc.value.message_dict
    # A county bureau cannot change the city's definition: it makes its own county revision.
    local = services.revise_definition(actor=bureau_a, definition=definition, data={}, steps=steps)
    assert local.region == world.a.region and local.revision == 1
    definition.refresh_from_db()
    assert definition.is_active
    assert selectors.definition_for(definition.kind, world.a.region) == local
    assert selectors.definition_for(definition.kind, world.b.region) == definition


# Effects refused: nothing written -------------------------------------------------------------
def snapshot(case):
    return (
        Case.objects.filter(pk=case.pk).values_list("state", "version", "step_order").get(),
        sorted(Task.objects.filter(case=case).values_list("pk", "state")),
        CaseAction.objects.filter(case=case).count(),
        Signature.objects.filter(case=case).count(),
        Notification.objects.filter(case=case).count(),
        ObjectChange.objects.filter(event__startswith="case.", changed_object_id=case.pk).count(),
        Room.objects.filter(pk=case.payload["room"]).values_list("subtype", "version").get(),
    )


def test_subject_changed_after_submission_refuses_the_approval(
    world, submitted, bureau_a, leader_a
):
    from ...framework.services import service_for

    case = services.decide(actor=bureau_a, case=submitted(), decision="approve")
    room = Room.objects.get(pk=case.payload["room"])
    service_for(Room).update(actor=bureau_a, instance=room, data={"name": "临时改名"})
    assert selectors.problems(case) == [
        f"房间“房间 {room.number}”在提交后已被修改，请退回申请单位核实后重新提交。"
    ]
    before = snapshot(case)
    with pytest.raises(ValidationError) as exc:
        services.decide(actor=leader_a, case=case, decision="approve", **sign(leader_a))
    assert "在提交后已被修改" in " ".join(exc.value.messages)
    assert snapshot(case) == before
    # Returning it is still possible; resubmitted, it notes the new version and goes through.
    case = services.decide(
        actor=leader_a, case=case, decision="return", comment="请核实", **sign(leader_a)
    )
    assert selectors.problems(case) == []


def test_a_failing_effect_rolls_the_whole_decision_back(submitted, bureau_a, leader_a, spec):
    case = services.decide(actor=bureau_a, case=submitted(), decision="approve")
    spec.fail_apply = "该房间已被封存，不能变更用途。"
    before = snapshot(case)
    with pytest.raises(ValidationError) as exc:
        services.decide(actor=leader_a, case=case, decision="approve", **sign(leader_a))
    assert "该房间已被封存，不能变更用途。" in exc.value.messages
    assert snapshot(case) == before
    spec.fail_apply = ""
    spec.issues = ["房间已不属于申请单位。"]
    with pytest.raises(ValidationError) as exc:
        services.decide(actor=leader_a, case=case, decision="approve", **sign(leader_a))
    assert "房间已不属于申请单位。" in exc.value.messages
    assert snapshot(case) == before


def test_kind_problems_stop_a_submission(new_case, unit_a, spec):
    case = new_case()
    spec.issues = ["房间已被调出。"]
    with pytest.raises(ValidationError) as exc:
        services.submit_case(actor=unit_a, case=case)
    assert exc.value.messages == ["房间已被调出。"]
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT and case.number == ""


def test_an_approved_case_waits_for_its_effective_date(
    submitted, bureau_a, leader_a, unit_a, clock
):
    later = clock.today() + datetime.timedelta(days=10)
    case = services.decide(actor=bureau_a, case=submitted(effective_on=later), decision="approve")
    case = services.decide(actor=leader_a, case=case, decision="approve", **sign(leader_a))
    assert case.state == CaseState.APPROVED and case.applied_at is None
    with pytest.raises(ValidationError) as exc:
        services.apply_case(actor=unit_a, case=case)
    assert "尚未到" in exc.value.messages[0]
    clock.advance(datetime.timedelta(days=10))
    case = services.apply_case(actor=unit_a, case=case)
    assert case.state == CaseState.APPLIED
    with pytest.raises(ValidationError):
        services.apply_case(actor=unit_a, case=case)


# Drafting -------------------------------------------------------------------------------------
def test_drafting_checks_permission_and_scope(world, definition, unit_a, unit_b, leader_a):
    room = world.a.room
    with pytest.raises(PermissionDenied):
        services.create_case(
            actor=leader_a, kind=KIND, applicant=world.a.org, data={"room": room.pk, "subtype": "x"}
        )
    with pytest.raises(ValidationError) as exc:
        services.create_case(
            actor=unit_b, kind=KIND, applicant=world.a.org, data={"room": room.pk, "subtype": "x"}
        )
    assert "applicant" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_case(actor=unit_a, kind=KIND, applicant=world.a.org, data={"room": room.pk})
    assert "subtype" in exc.value.message_dict
    assert not Case.objects.exists()


def test_a_kind_without_a_spec_is_refused(world, unit_a):
    with pytest.raises(ValidationError) as exc:
        services.create_case(actor=unit_a, kind="no_such_kind", applicant=world.a.org, data={})
    assert "kind" in exc.value.message_dict
