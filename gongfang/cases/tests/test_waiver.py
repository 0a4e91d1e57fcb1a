"""预警暂不整改 / 备案 through the engine: a bureau admin's request opens a warning_waiver case,
the warning changes only when the leader signs, and a warning that moved meanwhile is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ...compliance.models import State, Warning
from ...compliance.services import transition
from ...framework.models import ObjectChange
from ...workflow import services
from ...workflow.choices import CaseKind, CaseState
from ...workflow.kinds import KINDS
from ...workflow.models import Case
from .conftest import signature


@pytest.fixture
def warning(world) -> Warning:
    return Warning.objects.get(key=f"R1:room:{world.a.room.pk}")


def test_a_bureau_defer_waits_for_the_leaders_signature(world, warning, bureau_a, leader_a, driver):
    result = transition(
        actor=bureau_a, warning=warning, action="defer", reason="结构原因暂无法分隔"
    )
    case = result.waiver_request.obj
    assert case.number == result.waiver_request.number and case.number.startswith("滕机管缓〔")
    assert (case.kind, case.state, case.applicant) == (
        CaseKind.WARNING_WAIVER,
        CaseState.SUBMITTED,
        world.a.org,
    )
    assert case.payload == {
        "warning": warning.pk,
        "action": "defer",
        "reason": "结构原因暂无法分隔",
    }
    warning.refresh_from_db()
    assert (warning.state, warning.approver) == (State.OPEN, None)
    [change] = [c for c in KINDS.get(case.kind).preview(case) if c.field == "处理状态"]
    assert (change.before, change.after) == ("待整改", "暂不整改")
    # A second request while the first waits is refused.
    with pytest.raises(ValidationError, match=case.number):
        transition(actor=bureau_a, warning=warning, action="file", reason="再报备案")
    # Without the signature the leader cannot approve: nothing changes.
    with pytest.raises(ValidationError):
        services.decide(actor=leader_a, case=case, decision="approve")
    warning.refresh_from_db()
    assert warning.state == State.OPEN
    case = services.decide(actor=leader_a, case=case, decision="approve", **signature(leader_a))
    assert case.state == CaseState.APPLIED
    warning.refresh_from_db()
    assert (warning.state, warning.approver, warning.reason) == (
        State.DEFERRED,
        leader_a,
        "结构原因暂无法分隔",
    )
    entry = ObjectChange.objects.filter(
        event="warning.transition", changed_object_id=warning.pk
    ).latest("pk")
    assert (entry.user, entry.postchange_data["case"]) == (leader_a, case.number)


def test_a_warning_resolved_meanwhile_is_not_deferred(world, warning, bureau_a, leader_a):
    result = transition(actor=bureau_a, warning=warning, action="file", reason="历史遗留")
    case = result.waiver_request.obj
    Warning.objects.filter(pk=warning.pk).update(state=State.RESOLVED)
    with pytest.raises(ValidationError, match="当前状态为“已解决”"):
        services.decide(actor=leader_a, case=case, decision="approve", **signature(leader_a))
    warning.refresh_from_db()
    assert warning.state == State.RESOLVED and warning.approver is None
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED


def test_a_unit_admin_may_apply_for_a_waiver_too(world, warning, unit_a, driver):
    case = driver.submit(
        actor=unit_a,
        kind=CaseKind.WARNING_WAIVER,
        applicant=world.a.org,
        data={"warning": warning.pk, "action": "file", "reason": "历史遗留，报备案"},
    )
    assert Warning.objects.get(pk=warning.pk).state == State.OPEN
    case = driver.approve(case)
    assert case.state == CaseState.APPLIED
    assert Warning.objects.get(pk=warning.pk).state == State.FILED
    # Another organization's warning is not offered to the unit.
    other = Warning.objects.get(key=f"R1:room:{world.b.room.pk}")
    with pytest.raises(ValidationError) as exc:
        KINDS.get(CaseKind.WARNING_WAIVER).draft(
            actor=unit_a,
            applicant=world.a.org,
            data={"warning": other.pk, "action": "file", "reason": "x"},
        )
    assert exc.value.message_dict["warning"] == ["所选预警不存在或超出您的管辖范围。"]
