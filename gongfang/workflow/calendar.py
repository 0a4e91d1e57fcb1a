"""Open tasks follow the official calendar: when the bureau announces a year or changes its
days, the time limits of open tasks reckoned through that year are counted again (a deadline
estimated Monday to Friday becomes the official one, not a wrong date without its note)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from ..framework.models import CalendarDay, HolidayYear
from ..framework.workdays import add_workdays
from .choices import TaskState
from .models import Case, Task

# Years changed by transactions not yet recounted; the first commit after them recounts them all.
_pending: set[int] = set()


def recount_due_dates(*, years: set[int]) -> int:
    """Count again the due dates of open tasks whose time limit runs through ``years``; a
    changed task moves its case's deadline with it. Returns how many tasks moved."""
    moved = []
    tasks = Task.objects.filter(state=TaskState.OPEN).select_related("step")
    for task in tasks:
        opened = timezone.localdate(task.opened_at)
        if not any(opened.year <= year <= task.due_on.year for year in years):
            continue
        due = add_workdays(opened, task.step.time_limit_days)
        if due != task.due_on:
            task.due_on = due
            moved.append(task)
    with transaction.atomic():
        Task.objects.bulk_update(moved, ["due_on"])
        for case_id in {t.case_id for t in moved}:
            deadline = Task.objects.filter(case_id=case_id, state=TaskState.OPEN).aggregate(
                d=Max("due_on")
            )["d"]
            Case.objects.filter(pk=case_id).update(deadline=deadline)
    return len(moved)


def _recount_pending() -> None:
    years = set(_pending)
    _pending.clear()
    if years:
        recount_due_dates(years=years)


def _calendar_changed(sender, instance, **kwargs) -> None:
    _pending.add(instance.year if isinstance(instance, HolidayYear) else instance.date.year)
    transaction.on_commit(_recount_pending)


def connect() -> None:
    for model in (HolidayYear, CalendarDay):
        for signal in (post_save, post_delete):
            signal.connect(_calendar_changed, sender=model, dispatch_uid=f"workflow-{model}")
