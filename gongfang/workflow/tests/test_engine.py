"""The engine's life cycle: draft, submit, decisions step by step, signatures, effects."""

from __future__ import annotations

from ...framework import clock
from ...framework.models import ObjectChange
from ...framework.workdays import add_workdays
from ...registry.models import Room
from .. import selectors, services
from ..choices import Action, CaseState, TaskState
from ..models import CaseAction, Notification, Signature
from .conftest import sign


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
    assert Notification.objects.filter(user=bureau_a, case=case).exists()
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
