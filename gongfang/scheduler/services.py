"""Writes of the schedule, and the two halves of a run: the dispatch of due jobs (the scheduler
process) and the run itself (a task on the queue, in the worker).

**One run per due time, whatever the number of scheduler nodes.** :func:`dispatch_due` claims a
due job with one conditional UPDATE — ``next_run_at`` moves from the due value it read to the
next one — and enqueues the run in the same transaction; a second node that read the same due
value updates no row and enqueues nothing. With the database task backend the claim and the
queued task commit together.

**A run missed while everything was down is caught up once**: the next due time is computed from
*now*, not from the missed one, so a scheduler that starts three days late runs the daily scan
once and then at the next regular time.

The next due time comes from APScheduler's triggers (a cron trigger at the time of day in
Asia/Shanghai, or an interval trigger).
"""

from __future__ import annotations

import datetime
import logging
import time
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from ..framework import clock
from ..framework.changelog import record_changes
from ..framework.jobs import JOBS, Job, registered_job
from ..framework.models import ObjectChange
from ..framework.services import ObjectService, register
from .models import Kind, RunResult, ScheduledJob

logger = logging.getLogger(__name__)

# What the scheduler may change on its own (never through the service).
SCHEDULE_FIELDS = ("kind", "time_of_day", "interval_minutes", "enabled")
MESSAGE_MAX = 2000


def next_run_after(job: ScheduledJob, moment: datetime.datetime) -> datetime.datetime | None:
    """The first due time strictly after ``moment`` (None when disabled or incomplete)."""
    if not job.enabled:
        return None
    zone = ZoneInfo(settings.TIME_ZONE)
    if job.kind == Kind.DAILY and job.time_of_day is not None:
        trigger = CronTrigger(
            hour=job.time_of_day.hour, minute=job.time_of_day.minute, timezone=zone
        )
        # The trigger answers "at or after": start one second later for "strictly after".
        return trigger.get_next_fire_time(None, moment + datetime.timedelta(seconds=1))
    if job.kind == Kind.INTERVAL and job.interval_minutes:
        trigger = IntervalTrigger(minutes=job.interval_minutes, start_date=moment, timezone=zone)
        return trigger.get_next_fire_time(moment, moment)
    return None


@register
class ScheduledJobService(ObjectService):
    """Edits of the schedule page and API: the rows themselves come from the registry
    (:func:`sync_jobs`), so nothing creates or deletes one here."""

    model = ScheduledJob

    def create(self, *, actor, data):
        raise ValidationError("定时任务由各模块登记，不能新建。")

    def delete(self, *, actor, instance, **kwargs):
        raise ValidationError(f"定时任务“{instance}”由模块登记，不能删除；不需要时请停用。")

    def prepare(self, *, actor, instance: ScheduledJob) -> None:
        if instance.kind == Kind.DAILY:
            instance.interval_minutes = None
        elif instance.kind == Kind.INTERVAL:
            instance.time_of_day = None

    def validate(self, *, actor, instance: ScheduledJob, before: dict | None) -> None:
        if instance.kind == Kind.DAILY and instance.time_of_day is None:
            raise ValidationError({"time_of_day": f"“{instance}”每天定时运行，须填写运行时间。"})
        if instance.kind == Kind.INTERVAL and not instance.interval_minutes:
            raise ValidationError(
                {"interval_minutes": f"“{instance}”按间隔运行，须填写至少 1 分钟的间隔。"}
            )
        # A new schedule (or switching on) starts counting from now: no run is owed for the
        # time it was off or differently timed.
        if before is None or any(
            before.get(name) != _logged(instance, name) for name in SCHEDULE_FIELDS
        ):
            instance.next_run_at = next_run_after(instance, clock.now())


def _logged(instance: ScheduledJob, name: str):
    value = getattr(instance, name)
    return value.isoformat() if isinstance(value, datetime.time) else value


def sync_jobs() -> list[ScheduledJob]:
    """A row for every registered job that has none yet, with the job's default schedule
    (rows already there keep what the administrator set). Recorded as the system's creates."""
    known = set(ScheduledJob.objects.values_list("key", flat=True))
    now = clock.now()
    created = []
    with transaction.atomic():
        for job in JOBS.values():
            if job.key in known:
                continue
            row = _row_for(job)
            row.next_run_at = next_run_after(row, now)
            row.save()
            created.append(row)
        if created:
            record_changes(
                actor=None, changes=[(row, ObjectChange.Action.CREATE, None) for row in created]
            )
    return created


def _row_for(job: Job) -> ScheduledJob:
    return ScheduledJob(
        key=job.key,
        name=job.name,
        description=job.description,
        kind=Kind.DAILY if job.at is not None else Kind.INTERVAL,
        time_of_day=job.at,
        interval_minutes=int(job.interval.total_seconds() // 60) if job.interval else None,
    )


def due_jobs(now: datetime.datetime) -> list[ScheduledJob]:
    """Enabled jobs whose due time has come, as read now (another node may read the same)."""
    rows = ScheduledJob.objects.filter(enabled=True, next_run_at__lte=now).order_by("next_run_at")
    return [row for row in rows if registered_job(row.key) is not None]


def claim(row: ScheduledJob, now: datetime.datetime) -> bool:
    """Move ``row``'s due time on from the value read and enqueue its run, in one transaction;
    False when another node moved it first (its UPDATE matched no row)."""
    from .tasks import run_scheduled_job

    with transaction.atomic():
        claimed = ScheduledJob.objects.filter(
            pk=row.pk, enabled=True, next_run_at=row.next_run_at
        ).update(next_run_at=next_run_after(row, now), last_result=RunResult.QUEUED)
        if claimed:
            run_scheduled_job.enqueue(key=row.key)
    return bool(claimed)


def dispatch_due(*, now: datetime.datetime | None = None) -> list[str]:
    """Enqueue a run of every enabled job whose due time has come; returns their keys.

    Safe to call from any number of scheduler nodes at once (see the module docstring).
    """
    now = now or clock.now()
    dispatched = [row.key for row in due_jobs(now) if claim(row, now)]
    if dispatched:
        logger.info("scheduler: dispatched %s", ", ".join(dispatched))
    return dispatched


def run_job(*, key: str) -> str:
    """Run one job now (the queue's task calls this) and record how it went on its row.

    A failure is recorded with its message and raised again, so the task queue marks the task
    failed as well.
    """
    job = registered_job(key)
    if job is None:
        raise LookupError(f"没有登记标识为 {key} 的定时任务。")
    rows = ScheduledJob.objects.filter(key=key)
    rows.update(last_run_at=clock.now(), last_result=RunResult.RUNNING, last_message="")
    started = time.perf_counter()
    try:
        message = job.run() or "完成。"
    except Exception as exc:
        rows.update(
            last_result=RunResult.FAILURE,
            last_duration=round(time.perf_counter() - started, 3),
            last_message=f"运行失败：{exc}"[:MESSAGE_MAX],
        )
        logger.exception("scheduled job %s failed", key)
        raise
    rows.update(
        last_result=RunResult.SUCCESS,
        last_duration=round(time.perf_counter() - started, 3),
        last_message=message[:MESSAGE_MAX],
    )
    return message
