"""The scheduler: schedules as rows, one run per due time across nodes, a missed run caught up
once, and the daily scan raising what the calendar makes due (with the clock moved)."""

from __future__ import annotations

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from ...compliance.models import State, Warning
from ...compliance.services import scan
from ...framework.jobs import JOBS
from ...framework.services import service_for
from ...ledger.tests.helpers import run_worker
from ...registry.choices import EmploymentStatus
from ...registry.models import Person
from ...registry.tests.world import build_world, make_user
from ..models import Kind, RunResult, ScheduledJob
from ..services import claim, dispatch_due, due_jobs, next_run_after, sync_jobs

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCAN = "compliance.daily_scan"


def queued(key: str | None = None) -> int:
    rows = DBTaskResult.objects.filter(task_path__endswith="run_scheduled_job")
    return sum(1 for r in rows if key is None or r.args_kwargs["kwargs"]["key"] == key)


def only(key: str) -> ScheduledJob:
    """Leave ``key`` the only enabled job (the others' runs are tested elsewhere)."""
    ScheduledJob.objects.exclude(key=key).update(enabled=False)
    return ScheduledJob.objects.get(key=key)


@pytest.mark.django_db
def test_every_registered_job_gets_a_row_with_its_default_schedule(clock):
    created = sync_jobs()
    assert (
        {r.key for r in created}
        == set(JOBS)
        >= {
            SCAN,
            "framework.audit_purge",
            "accounts.remove_expired",
        }
    )
    scan_row = ScheduledJob.objects.get(key=SCAN)
    assert scan_row.kind == Kind.DAILY and scan_row.enabled
    due = scan_row.next_run_at.astimezone(SHANGHAI)
    assert (due.hour, due.minute) == (3, 0) and scan_row.next_run_at > clock.now()
    assert sync_jobs() == []  # a second start adds nothing, keeps what was set


@pytest.mark.django_db
def test_next_run_is_strictly_after_the_moment():
    job = ScheduledJob(kind=Kind.DAILY, time_of_day=datetime.time(3, 0), enabled=True)
    at_three = datetime.datetime(2026, 12, 5, 3, 0, tzinfo=SHANGHAI)
    assert next_run_after(job, at_three) == at_three + datetime.timedelta(days=1)
    job = ScheduledJob(kind=Kind.INTERVAL, interval_minutes=90, enabled=True)
    assert next_run_after(job, at_three) == at_three + datetime.timedelta(minutes=90)
    job.enabled = False
    assert next_run_after(job, at_three) is None


@pytest.mark.django_db
def test_two_nodes_that_read_the_same_due_time_run_the_job_once(clock):
    sync_jobs()
    only(SCAN)
    clock.advance(datetime.timedelta(days=1))
    now = clock.now()
    node_a, node_b = due_jobs(now), due_jobs(now)  # both read before either claims
    assert [r.key for r in node_a] == [r.key for r in node_b] == [SCAN]
    assert claim(node_a[0], now) is True
    assert claim(node_b[0], now) is False
    assert queued(SCAN) == 1
    assert dispatch_due() == []  # and a later tick finds nothing due
    assert queued(SCAN) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_scheduler_nodes_enqueue_one_run(clock):
    sync_jobs()
    only(SCAN)
    clock.advance(datetime.timedelta(days=1))
    barrier = threading.Barrier(4)
    results: list[list[str]] = []

    def node() -> None:
        try:
            barrier.wait()
            results.append(dispatch_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=node) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results) == [0, 0, 0, 1]
    assert queued(SCAN) == 1


@pytest.mark.django_db
def test_runs_missed_while_down_are_caught_up_once(clock):
    sync_jobs()
    only(SCAN)
    clock.advance(datetime.timedelta(days=10))  # ten 03:00s passed with no scheduler
    assert dispatch_due() == [SCAN]
    row = ScheduledJob.objects.get(key=SCAN)
    assert row.next_run_at > clock.now()
    assert row.next_run_at - clock.now() <= datetime.timedelta(days=1)
    assert dispatch_due() == []
    assert queued(SCAN) == 1


@pytest.mark.django_db
def test_a_disabled_job_is_not_dispatched(clock):
    sync_jobs()
    row = only(SCAN)
    sys_admin = make_user("sys", ["sys_admin"])
    service_for(ScheduledJob).update(actor=sys_admin, instance=row, data={"enabled": False})
    clock.advance(datetime.timedelta(days=2))
    assert dispatch_due() == []
    assert ScheduledJob.objects.get(key=SCAN).next_run_at is None


@pytest.mark.django_db
def test_clock_31_days_past_a_retirement_raises_r3_through_the_scheduled_scan(clock):
    world = build_world()
    scan()
    bureau = make_user("bureau", ["bureau_admin"], scope_region=world.city)
    service_for(Person).update(
        actor=bureau,
        instance=Person.objects.get(pk=world.a.person.pk),
        data={
            "employment_status": EmploymentStatus.RETIRED,
            "status_changed_on": clock.today(),
        },
    )
    key = f"R3:person:{world.a.person.pk}"
    assert not Warning.objects.filter(key=key).exists()  # within the month's grace
    sync_jobs()
    only(SCAN)

    clock.advance(datetime.timedelta(days=31))
    assert dispatch_due() == [SCAN]
    assert not Warning.objects.filter(key=key).exists()  # queued, not yet run
    run_worker()

    warning = Warning.objects.get(key=key)
    assert warning.state == State.OPEN and warning.figures["actual"] == 31
    row = ScheduledJob.objects.get(key=SCAN)
    assert row.last_result == RunResult.SUCCESS
    assert row.last_duration is not None and "新增 1" in row.last_message
    assert row.last_run_at >= clock.now() - datetime.timedelta(minutes=5)


@pytest.mark.django_db
def test_a_failing_job_records_its_message(clock, monkeypatch):
    from ...framework import jobs

    sync_jobs()
    only(SCAN)

    def broken() -> str:
        raise RuntimeError("磁盘已满")

    monkeypatch.setitem(
        jobs.JOBS, SCAN, jobs.Job(key=SCAN, name="x", run=broken, at=datetime.time(3))
    )
    clock.advance(datetime.timedelta(days=1))
    dispatch_due()
    run_worker()
    row = ScheduledJob.objects.get(key=SCAN)
    assert row.last_result == RunResult.FAILURE and "磁盘已满" in row.last_message
