"""A real ``manage.py db_worker`` killed (SIGKILL) while it commits a large batch: nothing of the
batch is written, the restarted worker's reclaim marks it failed (and closes the queue's row),
and its retry commits it whole. On the database the tests run on (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TransactionTestCase
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ...accounts.roles import Role
from ...framework.models import ObjectChange
from ...registry.models import Room
from ...registry.tests.world import build_world, make_user
from .. import services
from ..models import ImportBatch
from ..progress import get_progress
from .helpers import database_url
from .test_reclaim import XLSX, room_workbook

ROOT = Path(__file__).resolve().parents[3]
ROWS = 3000
Status = ImportBatch.Status


def start_worker(*extra: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "gongfang.settings",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--no-reload",
            "--interval",
            "0.1",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.skipif(settings.TASK_BACKEND != "db", reason="kills django-tasks-db's worker")
class KilledWorkerTests(TransactionTestCase):
    def setUp(self):
        self.world = build_world()
        self.user = make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=self.world.a.region)
        self.workers: list[subprocess.Popen] = []

    def tearDown(self):
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait(timeout=30)
            worker.stdout.close()
        for batch in ImportBatch.objects.all():
            batch.file.delete(save=False)

    def worker(self, *extra: str) -> subprocess.Popen:
        process = start_worker(*extra)
        self.workers.append(process)
        return process

    def written(self, batch: ImportBatch) -> tuple[int, int]:
        rooms = Room.objects.filter(number__startswith="R").count()
        return rooms, ObjectChange.objects.filter(request_id=batch.uuid).count()

    def test_killed_during_commit_then_reclaimed_then_retried(self):
        file = SimpleUploadedFile("rooms.xlsx", room_workbook(self.world, ROWS), XLSX)
        batch = services.do_upload(actor=self.user, uploaded_file=file, mode="upsert")
        self.assertTrue(batch.background)
        services.run_stage(batch.pk, "preview")
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.PREVIEWED, batch.message)
        services.do_commit(actor=self.user, batch=batch)
        batch.refresh_from_db()

        worker = self.worker()

        def committing() -> bool:
            progress = get_progress(batch.uuid)
            return progress["stage"] == "commit" and progress["done"] > 0

        wait_for(committing, 120, "the worker to be inside the commit")
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.COMMITTING)
        self.assertIn(f":{worker.pid}:", batch.worker)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

        # Nothing half written; the batch and the queue's row still say "running".
        self.assertEqual(self.written(batch), (0, 0))
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.COMMITTING)
        row = DBTaskResult.objects.get(id=batch.task_id)
        self.assertEqual(row.status, TaskResultStatus.RUNNING)

        # The restarted worker reclaims it first thing (its predecessor's process is gone).
        restarted = self.worker("--batch")
        output, _ = restarted.communicate(timeout=120)
        self.assertEqual(restarted.returncode, 0, output)
        self.assertIn(f"Reclaimed import batch {batch.pk}", output)
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.FAILED)
        self.assertIn("后台任务进程中断（最后心跳", batch.message)
        self.assertIn("未写入任何数据；可重试或放弃", batch.message)
        row.refresh_from_db()
        self.assertEqual(row.status, TaskResultStatus.FAILED)
        self.assertEqual(self.written(batch), (0, 0))
        self.assertTrue(ObjectChange.objects.filter(event="ledger.reclaim").exists())

        services.do_retry(actor=self.user, batch=batch)
        again = self.worker("--batch")
        output, _ = again.communicate(timeout=300)
        self.assertEqual(again.returncode, 0, output)
        batch.refresh_from_db()
        self.assertEqual(batch.status, Status.COMMITTED, batch.message)
        rooms, changes = self.written(batch)
        self.assertEqual(rooms, ROWS)
        self.assertGreaterEqual(changes, ROWS)
