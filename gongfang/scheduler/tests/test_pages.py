"""The schedule page and API: the system administrator lists the jobs and moves or stops one
(change-logged, the next run recomputed); no one else reaches them; no job is created or deleted."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from ...framework.models import ObjectChange
from ...registry.tests.world import make_user
from ..models import Kind, ScheduledJob
from ..services import sync_jobs

SCAN = "compliance.daily_scan"


@pytest.fixture
def jobs(db):
    sync_jobs()
    return ScheduledJob.objects.get(key=SCAN)


@pytest.fixture
def sys_admin(db):
    return make_user("sys", ["sys_admin"])


def test_the_list_shows_every_job_with_its_runs(client, jobs, sys_admin):
    client.force_login(sys_admin)
    page = client.get(reverse("scheduler:scheduledjob_list")).content.decode()
    for row in ScheduledJob.objects.all():
        assert row.name in page
    assert "每天 03:00" in page and "下次运行" in page


def test_moving_the_time_is_logged_and_moves_the_next_run(client, jobs, sys_admin):
    client.force_login(sys_admin)
    response = client.post(
        reverse("scheduler:scheduledjob_edit", args=[jobs.pk]),
        {"enabled": "on", "kind": Kind.DAILY, "time_of_day": "04:15", "version": jobs.version},
    )
    assert response.status_code == 302
    row = ScheduledJob.objects.get(pk=jobs.pk)
    due = row.next_run_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert (due.hour, due.minute) == (4, 15)
    change = ObjectChange.objects.filter(changed_object_id=row.pk, action="update").get()
    assert change.user == sys_admin
    assert change.prechange_data["time_of_day"] == "03:00:00"
    assert change.postchange_data["time_of_day"] == "04:15:00"


def test_an_interval_job_needs_its_interval(client, jobs, sys_admin):
    client.force_login(sys_admin)
    response = client.post(
        reverse("scheduler:scheduledjob_edit", args=[jobs.pk]),
        {"enabled": "on", "kind": Kind.INTERVAL, "version": jobs.version},
    )
    assert response.status_code == 200
    assert "须填写至少 1 分钟的间隔" in response.content.decode()


def test_only_the_system_administrator_reaches_the_schedule(client, jobs):
    for username, roles in (("sec", ["sec_admin"]), ("audit", ["audit_admin"])):
        client.force_login(make_user(username, roles))
        assert client.get(reverse("scheduler:scheduledjob_list")).status_code == 403


def test_the_api_switches_a_job_off_and_refuses_new_ones(client, jobs, sys_admin):
    client.force_login(sys_admin)
    url = reverse("api:scheduler:scheduledjob-detail", args=[jobs.pk])
    response = client.patch(url, {"enabled": False}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["next_run_at"] is None
    listing = reverse("api:scheduler:scheduledjob-list")
    # No permission to add or delete a job, and no such method either.
    assert client.post(listing, {}, content_type="application/json").status_code in (403, 405)
    assert client.delete(url).status_code in (403, 405)
    assert ScheduledJob.objects.filter(pk=jobs.pk).exists()
