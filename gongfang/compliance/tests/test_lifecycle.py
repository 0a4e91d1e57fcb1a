"""The warning life cycle: the role matrix, the conditions of each transition, the change log."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ...framework.models import ObjectChange
from ...registry.models import Room
from ..filtersets import WarningFilterSet
from ..models import Mode, State, Warning
from ..services import apply_waiver, transition

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def warning(world) -> Warning:
    return Warning.objects.get(key=f"R1:room:{world.a.room.pk}")


def at(warning: Warning, state: str) -> Warning:
    Warning.objects.filter(pk=warning.pk).update(state=state)
    warning.refresh_from_db()
    return warning


def compliant(world) -> None:
    """Fix the data behind the service's back, so the warning is still open but complies."""
    Room.objects.filter(pk=world.a.room.pk).update(usable_area=Decimal("9.00"))


# The matrix ----------------------------------------------------------------------------------------
# (transition, source state, kwargs) — each a valid request if the role may make it.
def _requests(leader_a):
    return {
        "rectify": (State.OPEN, {"mode": Mode.DEADLINE, "deadline": TOMORROW}),
        "complete": (State.RECTIFYING, {}),
        "defer": (State.OPEN, {"reason": "建筑结构原因，暂无法分隔", "approver": leader_a}),
        "file": (State.RECTIFYING, {"reason": "历史遗留，报上级备案", "approver": leader_a}),
        "reopen": (State.DEFERRED, {}),
    }


ALLOWED = {
    # role fixture -> transitions it may make on a warning in its scope
    "bureau_a": {"rectify", "complete", "defer", "file", "reopen"},
    "unit_a": {"rectify", "complete"},
    "leader_a": {"defer", "file"},
    "supervisor_a": set(),
}
TARGETS = {
    "rectify": State.RECTIFYING,
    "complete": State.RESOLVED,
    "defer": State.DEFERRED,
    "file": State.FILED,
    "reopen": State.OPEN,
}


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("action", list(TARGETS))
def test_role_matrix(request, world, warning, leader_a, role, action):
    actor = request.getfixturevalue(role)
    source, kwargs = _requests(leader_a)[action]
    if action == "complete":
        compliant(world)
    if role == "leader_a" and "approver" in kwargs:
        kwargs = {**kwargs, "approver": None}  # the leader signs himself
    at(warning, source)
    if action in ALLOWED[role]:
        version = Warning.objects.get(pk=warning.pk).version
        moved = transition(actor=actor, warning=warning, action=action, **kwargs)
        signer = actor
        if role == "bureau_a" and action in ("defer", "file"):
            # A request sent to approval: nothing changes until the approver signs.
            assert moved.waiver_request.number == "机管缓〔2026〕1号"
            stored = Warning.objects.get(pk=warning.pk)
            assert (stored.state, stored.version) == (source, version)
            assert not ObjectChange.objects.filter(
                event="warning.transition", changed_object_id=warning.pk
            ).exists()
            moved = apply_waiver(
                warning=warning,
                action=action,
                reason=kwargs["reason"],
                approver=leader_a,
                reference=moved.waiver_request.number,
            )
            signer = leader_a
        assert moved.state == TARGETS[action]
        assert moved.version == version + 1
        entry = ObjectChange.objects.filter(
            event="warning.transition", changed_object_id=warning.pk
        ).latest("pk")
        assert entry.user == signer
        assert (entry.postchange_data["from"], entry.postchange_data["to"]) == (
            source,
            TARGETS[action],
        )
        assert entry.postchange_data["reason"] == kwargs.get("reason", "")
    else:
        with pytest.raises(PermissionDenied):
            transition(actor=actor, warning=warning, action=action, **kwargs)
        warning.refresh_from_db()
        assert warning.state == source


@pytest.mark.parametrize("action", list(TARGETS))
def test_out_of_scope_accounts_cannot_act(world, warning, bureau_b, leader_a, action):
    source, kwargs = _requests(leader_a)[action]
    at(warning, source)
    with pytest.raises(ValidationError, match="管辖范围"):
        transition(actor=bureau_b, warning=warning, action=action, **kwargs)


def test_a_unit_account_acts_only_on_its_own_organizations(world, unit_a):
    other = Warning.objects.get(key=f"R1:room:{world.b.room.pk}")
    with pytest.raises(ValidationError, match="管辖范围"):
        transition(actor=unit_a, warning=other, action="rectify", mode=Mode.ON_SITE)


# Conditions ----------------------------------------------------------------------------------------
def test_rectify_needs_a_mode_and_a_future_deadline_for_deadline_mode(warning, unit_a):
    with pytest.raises(ValidationError) as exc:
        transition(actor=unit_a, warning=warning, action="rectify")
    assert "mode" in exc.value.message_dict
    for deadline in (None, timezone.localdate()):
        with pytest.raises(ValidationError) as exc:
            transition(
                actor=unit_a,
                warning=warning,
                action="rectify",
                mode=Mode.DEADLINE,
                deadline=deadline,
            )
        assert "deadline" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        transition(
            actor=unit_a, warning=warning, action="rectify", mode=Mode.ON_SITE, deadline=TOMORROW
        )
    assert "deadline" in exc.value.message_dict
    moved = transition(actor=unit_a, warning=warning, action="rectify", mode=Mode.INSTANT_FILING)
    assert (moved.state, moved.mode, moved.deadline) == (
        State.RECTIFYING,
        Mode.INSTANT_FILING,
        None,
    )


def test_complete_refused_while_the_data_still_break_the_rule(world, warning, unit_a):
    at(warning, State.RECTIFYING)
    with pytest.raises(ValidationError, match="复核未通过"):
        transition(actor=unit_a, warning=warning, action="complete")
    compliant(world)
    assert transition(actor=unit_a, warning=warning, action="complete").state == State.RESOLVED


def test_without_an_engine_defer_needs_a_reason_and_another_eligible_approver(
    world, warning, bureau_a, supervisor_a, city_leader, bureau_b, no_waiver_handler
):
    with pytest.raises(ValidationError) as exc:
        transition(actor=bureau_a, warning=warning, action="defer", approver=city_leader)
    assert "reason" in exc.value.message_dict
    for approver, why in (
        (None, "请选择"),
        (bureau_a, "本人"),
        (supervisor_a, "审批领导或机关事务管理员"),
        (bureau_b, "审批领导或机关事务管理员"),  # a bureau whose scope does not hold it
    ):
        with pytest.raises(ValidationError, match=why):
            transition(
                actor=bureau_a, warning=warning, action="defer", reason="理由", approver=approver
            )
    moved = transition(
        actor=bureau_a, warning=warning, action="defer", reason="理由", approver=city_leader
    )
    assert (moved.state, moved.approver, moved.reason) == (State.DEFERRED, city_leader, "理由")


def test_a_bureau_request_goes_to_approval_and_waits_for_the_signature(
    world, warning, bureau_a, city_leader, waiver_requests
):
    with pytest.raises(ValidationError) as exc:
        transition(actor=bureau_a, warning=warning, action="defer")
    assert "reason" in exc.value.message_dict and not waiver_requests
    version = warning.version
    result = transition(actor=bureau_a, warning=warning, action="file", reason="历史遗留")
    assert result.waiver_request.number == "机管缓〔2026〕1号"
    assert waiver_requests == [
        {"actor": bureau_a, "warning": warning.pk, "action": "file", "reason": "历史遗留"}
    ]
    warning.refresh_from_db()
    assert (warning.state, warning.approver, warning.version) == (State.OPEN, None, version)
    request = ObjectChange.objects.get(event="warning.waiver_request", changed_object_id=warning.pk)
    assert request.user == bureau_a
    assert request.postchange_data["case"] == "机管缓〔2026〕1号"
    # The approver signs: the warning is filed, with him as its approver.
    filed = apply_waiver(
        warning=warning, action="file", reason="历史遗留", approver=city_leader, reference="X"
    )
    assert (filed.state, filed.approver, filed.reason) == (State.FILED, city_leader, "历史遗留")
    entry = ObjectChange.objects.filter(
        event="warning.transition", changed_object_id=warning.pk
    ).latest("pk")
    assert (entry.user, entry.postchange_data["case"]) == (city_leader, "X")
    # Signed once more (a second case on a warning no longer open): refused, nothing changes.
    with pytest.raises(ValidationError, match="当前状态为“已备案”"):
        apply_waiver(warning=warning, action="defer", reason="再次", approver=city_leader)


def test_a_leader_approves_as_himself_only(warning, leader_a, city_leader):
    with pytest.raises(ValidationError, match="本人即为审批人"):
        transition(
            actor=leader_a, warning=warning, action="file", reason="备案", approver=city_leader
        )
    moved = transition(actor=leader_a, warning=warning, action="file", reason="备案")
    assert (moved.state, moved.approver) == (State.FILED, leader_a)


def test_a_state_that_does_not_allow_the_transition(warning, bureau_a):
    with pytest.raises(ValidationError, match="当前状态"):
        transition(actor=bureau_a, warning=warning, action="complete")
    with pytest.raises(ValidationError, match="当前状态"):
        transition(actor=bureau_a, warning=warning, action="reopen")


def test_deferred_warning_stays_deferred_while_found_and_resolves_when_compliant(
    world, warning, bureau_a, city_leader
):
    from ...framework.services import service_for

    apply_waiver(warning=warning, action="defer", reason="理由", approver=city_leader)
    room = Room.objects.get(pk=world.a.room.pk)
    service_for(Room).update(actor=bureau_a, instance=room, data={"usable_area": Decimal("17.00")})
    warning.refresh_from_db()
    assert warning.state == State.DEFERRED and warning.figures["excess"] == "8.00"
    service_for(Room).update(actor=bureau_a, instance=room, data={"usable_area": Decimal("9.00")})
    warning.refresh_from_db()
    assert warning.state == State.RESOLVED


def test_overdue_is_computed_and_filterable(world, warning, unit_a):
    transition(
        actor=unit_a, warning=warning, action="rectify", mode=Mode.DEADLINE, deadline=TOMORROW
    )
    warning.refresh_from_db()
    assert not warning.is_overdue
    Warning.objects.filter(pk=warning.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    warning.refresh_from_db()
    assert warning.is_overdue
    overdue = WarningFilterSet({"overdue": "true"}, queryset=Warning.objects.all()).qs
    assert list(overdue) == [warning]
    on_time = WarningFilterSet({"overdue": "false"}, queryset=Warning.objects.all()).qs
    assert warning not in on_time and on_time.count() == 1
