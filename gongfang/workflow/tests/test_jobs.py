"""The daily jobs: reminders of tasks due tomorrow or overdue, and cases applied on their date."""

from __future__ import annotations

import datetime

from django.core import mail

from ...framework import clock
from ...framework.jobs import registered_job
from .. import services
from ..choices import CaseState
from ..jobs import apply_due, daily_apply, daily_reminders, send_reminders
from ..models import Case, Notification, Task
from .conftest import sign


def test_jobs_are_registered(db):
    assert registered_job("workflow.reminders").at == datetime.time(8, 0)
    assert registered_job("workflow.apply_due").run is daily_apply


def test_reminders_once_a_day_for_due_and_overdue_tasks(submitted, bureau_a, settings):
    settings.WORKFLOW_EMAIL_REMINDERS = True
    bureau_a.email = "bureau@example.org"
    bureau_a.save()
    due, overdue, later = submitted(), submitted(), submitted()
    today = clock.today()
    Task.objects.filter(case=due).update(due_on=today + datetime.timedelta(days=1))
    Task.objects.filter(case=overdue).update(due_on=today - datetime.timedelta(days=2))
    before = Notification.objects.count()
    assert send_reminders() == (2, 2)
    notes = Notification.objects.filter(user=bureau_a).order_by("-pk")[:2]
    messages = {n.case_id: n.message for n in notes}
    assert "将于明天" in messages[due.pk]
    assert "已逾期" in messages[overdue.pk]
    assert later.pk not in messages
    assert len(mail.outbox) == 2 and mail.outbox[0].to == ["bureau@example.org"]
    # Once a day: the same day again reminds nobody.
    assert send_reminders() == (0, 0)
    assert Notification.objects.count() == before + 2
    assert "提醒 0 条" in daily_reminders()


def test_reminders_without_email_setting_send_no_mail(submitted, bureau_a, settings):
    settings.WORKFLOW_EMAIL_REMINDERS = False
    bureau_a.email = "bureau@example.org"
    bureau_a.save()
    case = submitted()
    Task.objects.filter(case=case).update(due_on=clock.today())
    assert send_reminders() == (1, 1)
    assert mail.outbox == []


def test_approved_cases_are_applied_on_their_date(
    submitted, bureau_a, leader_a, unit_a, spec, clock
):
    day = clock.today() + datetime.timedelta(days=5)
    waiting = []
    for _ in range(2):
        case = services.decide(actor=bureau_a, case=submitted(effective_on=day), decision="approve")
        waiting.append(
            services.decide(actor=leader_a, case=case, decision="approve", **sign(leader_a))
        )
    assert {c.state for c in waiting} == {CaseState.APPROVED}
    assert apply_due() == (0, [])
    clock.advance(datetime.timedelta(days=5))
    # The signer has left meanwhile: the approval stands and is applied all the same.
    type(leader_a).objects.filter(pk=leader_a.pk).update(is_active=False)
    # One of them can no longer be applied: it stays approved and its applicant is told.
    original = spec.problems
    spec.problems = lambda case: ["房间已被调出。"] if case.pk == waiting[1].pk else []
    try:
        applied, failures = apply_due()
    finally:
        spec.problems = original
    assert applied == 1
    assert failures == [f"{waiting[1].number}：房间已被调出。"]
    first = Case.objects.get(pk=waiting[0].pk)
    assert first.state == CaseState.APPLIED
    assert first.actions.get(action="apply").actor == leader_a  # in the final approver's name
    assert Case.objects.get(pk=waiting[1].pk).state == CaseState.APPROVED
    assert Notification.objects.filter(
        user=unit_a, case=waiting[1], message__contains="未能生效"
    ).exists()
