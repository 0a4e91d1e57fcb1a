"""The approval engine's periodic jobs (registered in ``WorkflowConfig.ready``).

- Reminders: every open task due tomorrow or overdue reminds each account that sees it (an
  in-app notification; an e-mail too when ``settings.WORKFLOW_EMAIL_REMINDERS`` is on), once a
  day per task.
- Effective dates: an approved case waiting for its ``effective_on`` is applied on that day, in
  the name of its final approver; one that can no longer be applied stays approved, and its
  applicant is told why.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ..framework import clock
from ..framework.jobs import Job, register_job
from ..framework.workdays import estimate_note
from .actors import accounts_for
from .choices import CaseState, TaskState
from .models import Case, Notification, Task
from .services import apply_case, case_url, error_text, final_approver

logger = logging.getLogger(__name__)


def send_reminders(*, today: datetime.date | None = None) -> tuple[int, int]:
    """Remind the accounts of open tasks due tomorrow or overdue (once per task and day);
    returns (tasks, notifications)."""
    today = today or clock.today()
    tomorrow = today + datetime.timedelta(days=1)
    now = clock.now()
    tasks = list(
        Task.objects.filter(state=TaskState.OPEN, due_on__lte=tomorrow)
        .exclude(reminded_on=today)
        .select_related("case", "step")
    )
    notices: list[Notification] = []
    mails: list[tuple[str, str, str]] = []
    for task in tasks:
        case = task.case
        # A time limit reckoned into a year not announced yet says it is an estimate.
        note = estimate_note(timezone.localdate(task.opened_at), task.due_on)
        if task.due_on < today:
            message = (
                f"催办：{case.number}“{case.title}”（{task.step.name}）已逾期，"
                f"办理期限为 {task.due_on:%Y-%m-%d}{note}。"
            )
        else:
            message = (
                f"提醒：{case.number}“{case.title}”（{task.step.name}）"
                f"将于明天（{task.due_on:%Y-%m-%d}）到期{note}。"
            )
        url = case_url(case)
        for user in accounts_for(task):
            notices.append(
                Notification(user=user, case=case, message=message, url=url, created_at=now)
            )
            if user.email:
                mails.append((user.email, message, url))
        task.reminded_on = today
    with transaction.atomic():
        Notification.objects.bulk_create(notices)
        Task.objects.bulk_update(tasks, ["reminded_on"])
    if getattr(settings, "WORKFLOW_EMAIL_REMINDERS", False):
        for address, message, url in mails:
            try:
                send_mail("审批事项办理提醒", f"{message}\n{url}".strip(), None, [address])
            except OSError:  # the mail server is down: the in-app reminder stands
                logger.warning("reminder mail to %s failed", address, exc_info=True)
    return len(tasks), len(notices)


def apply_due(*, today: datetime.date | None = None) -> tuple[int, list[str]]:
    """Apply approved cases whose effective date has come; (applied, failures)."""
    today = today or clock.today()
    applied, failures = 0, []
    due = Case.objects.filter(state=CaseState.APPROVED, effective_on__lte=today).order_by("pk")
    for case in due:
        try:
            apply_case(actor=final_approver(case), case=case, check_scope=False)
        except (ValidationError, PermissionDenied) as exc:
            reason = error_text(exc)
            failures.append(f"{case.number}：{reason}")
            Notification.objects.create(
                user=case.created_by,
                case=case,
                message=f"{case.number}“{case.title}”到生效日期未能生效：{reason}"[:300],
                url=case_url(case),
                created_at=clock.now(),
            )
        else:
            applied += 1
    return applied, failures


def daily_reminders() -> str:
    tasks, notices = send_reminders()
    return f"到期或逾期待办 {tasks:,} 项，发送提醒 {notices:,} 条。"


def daily_apply() -> str:
    applied, failures = apply_due()
    text = f"到生效日期的已批准事项：生效 {applied:,} 件"
    if failures:
        text += f"，未能生效 {len(failures):,} 件（{'；'.join(failures[:5])}）"
    return text + "。"


def register() -> None:
    register_job(
        Job(
            key="workflow.reminders",
            name="审批待办到期提醒",
            description="每天早上提醒明天到期和已逾期的审批待办（站内消息；按设置同时发送邮件）。",
            run=daily_reminders,
            at=datetime.time(8, 0),
        )
    )
    register_job(
        Job(
            key="workflow.apply_due",
            name="已批准事项到期生效",
            description="每天凌晨使生效日期已到的已批准审批事项生效；无法生效的通知申请单位。",
            run=daily_apply,
            at=datetime.time(0, 30),
        )
    )
