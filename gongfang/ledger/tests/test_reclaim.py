"""Stuck batches: a stage whose process died is reclaimed as failed (lease run out, or process gone
from this host), with its task-queue row; a process that lost its lease writes nothing; a failed
batch is retried or discarded from its page and the API."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta
from unittest import mock

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from ...framework import clock
from ...framework.models import ObjectChange
from ...registry.models import Room
from ...registry.tests.world import WorldMixin
from ...scheduler.services import run_job
from .. import services
from ..jobs import reclaim as reclaim_job
from ..lease import Heartbeat, worker_is_gone, worker_token
from ..models import ImportBatch
from ..tasks import run_batch
from .helpers import TempMediaMixin, run_worker

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROOM_HEADERS = ["区划代码", "院落名称", "楼座名称", "楼层号", "房间号", "用房类别", "使用面积"]
Status = ImportBatch.Status


def room_workbook(world, count: int, floor: int = 1) -> bytes:
    a = world.a
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "房间"
    ws.append(ROOM_HEADERS)
    for n in range(count):
        ws.append(
            [a.region.code, a.compound.name, a.building.name, floor, f"R{n:05d}", "办公室", 12]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def dead_pid() -> int:
    """A process id of this host that no process has (a child that has exited and been reaped)."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


class ReclaimTests(TempMediaMixin, WorldMixin, TestCase):
    def setUp(self):
        self.client.force_login(self.user_with_perm)
        self.api = APIClient()
        self.api.force_login(self.user_with_perm)

    def previewed(self, count: int = 3, **fields) -> ImportBatch:
        file = SimpleUploadedFile("rooms.xlsx", room_workbook(self.world, count), XLSX)
        batch = services.do_upload(actor=self.user_with_perm, uploaded_file=file, mode="upsert")
        self.assertEqual(batch.status, Status.PREVIEWED, batch.message)
        ImportBatch.objects.filter(pk=batch.pk).update(**fields)
        batch.refresh_from_db()
        return batch

    def stuck(self, *, worker: str = "node-b:4242:abcd1234", stage: str = "commit", **fields):
        """A batch its process left running: lease taken at 10:00, renewed last at 10:02."""
        beat = timezone.now() - timedelta(minutes=30)
        values = {
            "status": Status.COMMITTING if stage == "commit" else Status.PREVIEWING,
            "stage": stage,
            "worker": worker,
            "heartbeat_at": beat,
            "lease_expires_at": beat + timedelta(seconds=90),
            "background": True,
            **fields,
        }
        return self.previewed(**values)

    # Reclaim ----------------------------------------------------------------------------------
    def test_expired_lease_is_reclaimed_as_failed_with_the_last_heartbeat(self):
        batch = self.stuck()
        live = self.stuck(lease_expires_at=timezone.now() + timedelta(minutes=1))
        reclaimed = services.reclaim_stuck_batches()
        self.assertEqual([b.pk for b in reclaimed], [batch.pk])
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.FAILED)
        self.assertIsNone(batch.lease_expires_at)
        last = timezone.localtime(batch.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S")
        self.assertTrue(
            batch.message.startswith(
                f"后台任务进程中断（最后心跳 {last}），未写入任何数据；可重试或放弃。"
            ),
            batch.message,
        )
        self.assertIn("node-b:4242:abcd1234", batch.message)
        event = ObjectChange.objects.get(event="ledger.reclaim")
        self.assertEqual(event.changed_object_id, batch.pk)
        self.assertEqual(event.postchange_data["stage"], "commit")
        live.refresh_from_db()
        self.assertEqual(live.status, Status.COMMITTING)
        # The clock of the caller decides: the scheduler may pass its own.
        later = timezone.now() + timedelta(minutes=2)
        self.assertEqual([b.pk for b in services.reclaim_stuck_batches(now=later)], [live.pk])
        self.assertEqual(services.reclaim_stuck_batches(now=later), [])

    def test_process_gone_from_this_host_is_reclaimed_before_its_lease_ends(self):
        token = worker_token()
        gone = token.replace(f":{os.getpid()}:", f":{dead_pid()}:")
        self.assertTrue(worker_is_gone(gone))
        self.assertFalse(worker_is_gone(token))
        self.assertFalse(worker_is_gone("another-host:1:abcd"))
        soon = timezone.now() + timedelta(minutes=1)
        batch = self.stuck(worker=gone, stage="preview", lease_expires_at=soon)
        mine = self.stuck(worker=token, lease_expires_at=soon)
        self.assertEqual([b.pk for b in services.reclaim_stuck_batches()], [batch.pk])
        batch.refresh_from_db()
        mine.refresh_from_db()
        self.assertEqual(batch.status, Status.FAILED)
        self.assertEqual(mine.status, Status.COMMITTING)

    @pytest.mark.queue
    def test_a_starting_worker_reclaims(self):
        batch = self.stuck()
        run_worker()  # db_worker or rqworker, as TASK_BACKEND says
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.FAILED)

    def test_the_scheduled_job_reclaims_on_the_projects_clock(self):
        batch = self.stuck(lease_expires_at=timezone.now() + timedelta(minutes=1))
        self.assertEqual(reclaim_job(), "没有中断的导入批次。")
        self.addCleanup(clock.reset)
        clock.advance(timedelta(minutes=2))
        self.assertEqual(
            run_job(key="ledger.reclaim_stuck_batches"),
            f"已将后台任务进程中断的导入批次“rooms.xlsx”（批次 {batch.pk}）标为处理失败，"
            "可重试或放弃。",
        )
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.FAILED)

    @pytest.mark.skipif(settings.TASK_BACKEND != "db", reason="django-tasks-db's worker")
    def test_a_starting_db_worker_closes_the_rows_of_dead_workers_of_this_host(self):
        gone = worker_token().replace(f":{os.getpid()}:", f":{dead_pid()}:")
        dead = DBTaskResult.objects.get(id=run_batch.enqueue(0, "preview").id)
        dead.claim(gone)
        elsewhere = DBTaskResult.objects.get(id=run_batch.enqueue(0, "preview").id)
        elsewhere.claim("node-b:4242:abcd1234")
        run_worker()
        dead.refresh_from_db()
        elsewhere.refresh_from_db()
        self.assertEqual(dead.status, TaskResultStatus.FAILED)
        self.assertIn(f"后台任务进程 {gone} 中断，任务“run_batch”未完成。", dead.traceback)
        self.assertEqual(elsewhere.status, TaskResultStatus.RUNNING)

    def test_a_stage_that_crashes_fails_at_once_instead_of_waiting_for_its_lease(self):
        batch = self.previewed()
        with (
            mock.patch.object(services, "run_import", side_effect=RuntimeError("boom")),
            self.assertRaises(RuntimeError),
        ):
            services.do_commit(actor=self.user_with_perm, batch=batch)
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.FAILED)
        self.assertEqual(batch.message, "处理时发生系统错误，未写入任何数据；可重试或放弃。")
        self.assertIsNone(batch.lease_expires_at)

    def test_a_queued_stage_whose_file_is_unreadable_fails_with_the_reason(self):
        batch = self.previewed(background=True)
        with batch.file.open("wb") as fileobj:
            fileobj.write(b"not a workbook")
        services.run_stage(batch.pk, "commit")  # the task ends normally: nothing to retry
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.stage), (Status.FAILED, "commit"))
        self.assertIn("文件", batch.message)
        self.assertNotIn("系统错误", batch.message)
        self.assertIsNone(batch.lease_expires_at)

    def test_batches_waiting_for_a_worker_are_left_alone(self):
        # Queued for commit, no worker has taken it yet: no lease, nothing to reclaim.
        waiting = self.previewed(status=Status.COMMITTING, background=True)
        self.assertEqual(services.reclaim_stuck_batches(now=timezone.now() + timedelta(days=1)), [])
        waiting.refresh_from_db()
        self.assertEqual(waiting.status, Status.COMMITTING)

    def test_the_dead_runs_task_row_is_closed_as_failed(self):
        with self.captureOnCommitCallbacks(execute=True):
            batch = self.previewed(background=True)
            services.do_commit(actor=self.user_with_perm, batch=batch)
        batch.refresh_from_db()
        row = DBTaskResult.objects.get(id=batch.task_id)
        row.claim("dead-worker")
        ImportBatch.objects.filter(pk=batch.pk).update(
            worker="node-b:1:abcd",
            stage="commit",
            heartbeat_at=timezone.now() - timedelta(minutes=5),
            lease_expires_at=timezone.now() - timedelta(minutes=3),
        )
        services.reclaim_stuck_batches()
        row.refresh_from_db()
        self.assertEqual(row.status, TaskResultStatus.FAILED)
        self.assertTrue(row.exception_class_path.endswith("services.WorkerLost"))
        self.assertIn("后台任务进程中断", row.traceback)

    def test_a_process_that_lost_its_lease_writes_nothing(self):
        batch = self.stuck(worker="node-b:4242:abcd1234")
        # The process whose lease was taken over (reclaimed, then retried by another) finishes.
        result = services._commit_under(batch, "node-a:1:old", remote_addr=None)
        self.assertIsNone(result)
        self.assertFalse(Room.objects.filter(number__startswith="R0").exists())
        self.assertFalse(ObjectChange.objects.filter(event="ledger.import").exists())
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.COMMITTING)

    def test_a_stage_takes_and_releases_its_lease(self):
        batch = self.previewed()
        self.assertEqual(batch.stage, "preview")
        self.assertTrue(batch.worker.endswith(f":{os.getpid()}:" + batch.worker[-8:]))
        self.assertIsNotNone(batch.heartbeat_at)
        self.assertIsNone(batch.lease_expires_at)
        services.do_commit(actor=self.user_with_perm, batch=batch)
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.stage), (Status.COMMITTED, "commit"))
        self.assertIsNone(batch.lease_expires_at)

    def test_the_heartbeat_beats_until_stopped_and_survives_a_failed_beat(self):
        beats = []

        def beat():
            beats.append(len(beats))
            if len(beats) == 2:
                raise OperationalError("database is locked")

        heartbeat = Heartbeat(beat, 0.01, name="test-heartbeat")
        heartbeat.start()
        while len(beats) < 4:
            time.sleep(0.01)
        heartbeat.stop()
        self.assertFalse(heartbeat.is_alive())
        count = len(beats)
        time.sleep(0.05)
        self.assertEqual(len(beats), count)

    # Retry and discard ------------------------------------------------------------------------
    def test_retry_from_the_page_commits_the_failed_batch(self):
        # Small: its stage ran in the web request, which retry runs it in again.
        batch = self.stuck(worker="node-b:1:abcd", background=False)
        services.reclaim_stuck_batches()
        page = self.client.get(batch.get_absolute_url())
        self.assertContains(page, "处理上传请求的进程中断（最后心跳")
        self.assertContains(page, 'data-bs-target="#confirm-retry"')
        self.assertContains(page, 'data-bs-target="#confirm-discard"')
        self.assertContains(page, "将重新导入批次“rooms.xlsx”")
        retry_url = reverse("ledger:batch_retry", args=[batch.pk])
        form = page.content.decode().split(f'action="{retry_url}"', 1)[1].split("</form>")[0]
        self.assertIn('name="csrfmiddlewaretoken"', form)
        response = self.client.post(reverse("ledger:batch_retry", args=[batch.pk]))
        self.assertRedirects(response, batch.get_absolute_url())
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.COMMITTED, batch.message)
        self.assertEqual(batch.message, "")
        self.assertEqual(Room.objects.filter(number__startswith="R0").count(), 3)
        self.assertTrue(ObjectChange.objects.filter(event="ledger.retry").exists())
        page = self.client.get(batch.get_absolute_url())
        self.assertNotContains(page, "confirm-retry")

    @pytest.mark.queue
    def test_retry_of_a_large_batch_goes_back_on_the_queue(self):
        batch = self.stuck(stage="preview", status=Status.FAILED, background=True)
        with self.captureOnCommitCallbacks(execute=True):
            services.do_retry(actor=self.user_with_perm, batch=batch)
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.message), (Status.QUEUED, ""))
        self.assertTrue(batch.task_id)
        run_worker()
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.PREVIEWED, batch.message)
        self.assertIsNone(batch.lease_expires_at)

    def test_discard_from_the_page(self):
        batch = self.stuck(status=Status.FAILED)
        response = self.client.post(reverse("ledger:batch_discard", args=[batch.pk]))
        self.assertRedirects(response, batch.get_absolute_url())
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.DISCARDED)
        self.assertTrue(ObjectChange.objects.filter(event="ledger.discard").exists())
        page = self.client.get(batch.get_absolute_url())
        self.assertContains(page, "已放弃")
        # Only a failed batch may be retried or discarded.
        self.client.post(reverse("ledger:batch_retry", args=[batch.pk]))
        page = self.client.get(batch.get_absolute_url())
        self.assertContains(page, "批次“rooms.xlsx”的状态为“已放弃”，不能重试。")
        self.assertFalse(Room.objects.filter(number__startswith="R0").exists())

    def test_retry_and_discard_through_the_api(self):
        batch = self.stuck(status=Status.FAILED, background=False)
        url = reverse("api:ledger:importbatch-retry", args=[batch.pk])
        data = self.api.post(url).json()
        self.assertEqual(data["status"], "committed")
        self.assertEqual(data["stage"], "commit")
        self.assertIsNone(data["lease_expires_at"])
        again = self.api.post(url)
        self.assertEqual(again.status_code, 400)
        self.assertIn("不能重试", str(again.json()))

        other = self.stuck(status=Status.FAILED)
        data = self.api.post(reverse("api:ledger:importbatch-discard", args=[other.pk])).json()
        self.assertEqual((data["status"], data["status_display"]), ("discarded", "已放弃"))

    def test_only_the_uploader_may_retry_or_discard(self):
        batch = self.stuck(status=Status.FAILED)
        ImportBatch.objects.filter(pk=batch.pk).update(user=self.user_no_role)
        response = self.client.post(reverse("ledger:batch_discard", args=[batch.pk]))
        self.assertEqual(response.status_code, 404)
        response = self.api.post(reverse("api:ledger:importbatch-retry", args=[batch.pk]))
        self.assertEqual(response.status_code, 404)
        self.client.force_login(self.user_view_only)
        response = self.client.post(reverse("ledger:batch_retry", args=[batch.pk]))
        self.assertEqual(response.status_code, 403)
