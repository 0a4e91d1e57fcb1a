"""The demo app: its contributors run in app order; the cases part leaves real work for every
demo account, built through the services (history, numbers, signatures), and flushes cleanly."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from ...accounts.models import User
from ...compliance.models import ACTIVE_STATES, Warning
from ...framework import clock
from ...registry.choices import RoomStatus
from ...registry.models import Room
from ...workflow import services
from ...workflow.choices import Action, CaseKind, CaseState
from ...workflow.models import Case, CaseAction, Signature, Task
from ..cases import BUILT_HERE, small_plans, zaozhuang_plans
from ..parts import contributions
from ..story import Story

SEED = 2026


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def small(db, fast_hashing) -> str:
    out = io.StringIO()
    call_command("load_demo", profile="small", seed=SEED, stdout=out)
    return out.getvalue()


def test_contributors_run_in_the_order_of_the_apps():
    labels = [label for label, _module in contributions()]
    order = [labels.index(label) for label in ("registry", "standards", "compliance", "demo")]
    assert order == sorted(order)
    for _label, module in contributions():
        assert callable(module.build) and module.LABEL


def test_plans_cover_every_kind_in_every_state():
    plans = zaozhuang_plans()
    for kind in BUILT_HERE:
        goals = {p.goal for p in plans if p.kind == kind}
        assert {"draft", "returned", "rejected", "withdrawn", "applied"} <= goals, kind
    assert {p.goal for p in plans if p.kind == CaseKind.DISPOSAL} >= {"countersign"}
    assert not any(p.goal == "applied" for p in small_plans())


def _open_tasks(username: str) -> int:
    return Task.objects.for_user(User.objects.get(username=username)).open().count()


def test_small_demo_leaves_work_for_the_bureau_the_leader_and_the_unit(small: str):
    assert _open_tasks("zz_bureau") >= 1
    assert _open_tasks("leader") >= 1
    unit = User.objects.get(username="unit_admin")
    editable = Case.objects.restrict(unit, "change").filter(
        Q(state=CaseState.DRAFT) | Q(state=CaseState.RETURNED)
    )
    assert editable.exists()
    assert "审批事项" in small and "未能生成" not in small and "未能写入" not in small


def test_small_demo_cases_have_the_history_the_services_write(small: str):
    today = clock.today()
    # The office-space cases this app builds (the maintenance and vehicle parts tell their own).
    cases = Case.objects.filter(kind__in=BUILT_HERE)
    submitted = cases.exclude(state=CaseState.DRAFT)
    assert submitted.exists()
    for case in submitted:
        assert case.number and case.content_hash
        submit = case.actions.get(action=Action.SUBMIT)
        assert timezone.localdate(submit.at) < today  # submitted on a past working day
        # Created and last changed on the story's days, not when the demo was loaded.
        times = [a.at for a in case.actions.all()]
        assert case.created_at == min(times) <= submit.at
        assert case.updated_at == max(times)
    returned = cases.get(state=CaseState.RETURNED)
    back = returned.actions.get(action=Action.RETURN)
    assert back.comment and back.actor.username == "zz_bureau"
    # The project clock is back to the real time after the demo.
    from ...framework.clock import _offset

    assert _offset.total_seconds() == 0
    # Nothing applied: the small city's rooms are as its plan (one planted loan, R8).
    assert not cases.filter(state=CaseState.APPLIED).exists()
    assert Room.objects.filter(status=RoomStatus.LENT).count() == 1


def test_flush_rebuilds_the_cases_too(small: str, fast_hashing):
    numbers = sorted(Case.objects.exclude(number="").values_list("number", flat=True))
    # The leader signs the case waiting for him: a signature its history protects.
    leader = User.objects.get(username="leader")
    task = (
        Task.objects.for_user(leader)
        .open()
        .filter(case__kind__in=BUILT_HERE)
        .select_related("case")
        .get()
    )
    services.decide(
        actor=leader,
        case=task.case,
        decision=Action.APPROVE,
        **Story({}, clock.today()).signature(leader),
    )
    assert Signature.objects.exists()
    first = set(Case.objects.values_list("pk", flat=True))
    call_command("load_demo", profile="small", seed=SEED, flush=True, stdout=io.StringIO())
    assert not first & set(Case.objects.values_list("pk", flat=True))
    assert sorted(Case.objects.exclude(number="").values_list("number", flat=True)) == numbers
    assert CaseAction.objects.filter(case__isnull=True).count() == 0


@pytest.mark.django_db
def test_zaozhuang_demo_every_account_works_and_approved_loans_are_no_r8(fast_hashing):
    out = io.StringIO()
    call_command("load_demo", profile="zaozhuang", seed=SEED, stdout=out)
    text = out.getvalue()
    assert "未能生成" not in text and "未能写入" not in text, text[text.find("审批事项（") :]
    assert "权属登记 16 项，使用权证 6 份" in text
    for username in ("zz_bureau", "tz_bureau", "leader", "unit_admin"):
        assert _open_tasks(username) >= 1, username
    # Every kind reached the end of its process, and every state is there.
    for kind in CaseKind.values:
        states = set(Case.objects.filter(kind=kind).values_list("state", flat=True))
        if kind == CaseKind.MAINTENANCE_PLAN:  # one three-year plan, approved
            assert CaseState.APPLIED in states
            continue
        assert {CaseState.DRAFT, CaseState.RETURNED, CaseState.APPLIED} <= states, kind
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    # The leader signed with password and authenticator: a signature per signed decision.
    assert Signature.objects.filter(signer__username="leader").count() >= 10
    # Loans approved and applied: the rooms are 出借 without an R8 warning; the planted loans
    # (出借 with no case) stay R8 warnings.
    approved = Room.objects.filter(
        status=RoomStatus.LENT, approved_uses__case__state=CaseState.APPLIED
    ).distinct()
    assert approved.count() >= 3
    r8 = Warning.objects.filter(rule="R8", state__in=ACTIVE_STATES)
    assert not r8.filter(room__in=approved).exists()
    unapproved = Room.objects.filter(status=RoomStatus.LENT).exclude(pk__in=approved)
    assert unapproved.exists()
    assert set(unapproved.values_list("pk", flat=True)) <= set(r8.values_list("room_id", flat=True))
