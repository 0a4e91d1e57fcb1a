"""Shared by the ledger tests: a workbook built in memory, the queue's worker run in a test."""

from __future__ import annotations

import io
import shutil
import tempfile
from unittest import mock

import openpyxl
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings


class TempMediaMixin:
    """Test-case mixin: the files the class's tests upload go to a temporary MEDIA_ROOT."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.media = tempfile.mkdtemp()
        cls.media_settings = override_settings(MEDIA_ROOT=cls.media)
        cls.media_settings.enable()

    @classmethod
    def tearDownClass(cls):
        cls.media_settings.disable()
        shutil.rmtree(cls.media, ignore_errors=True)
        super().tearDownClass()


def run_worker() -> None:
    """The queue's worker (database or RQ, as ``settings.TASK_BACKEND`` says), run in this
    process until the queue is empty. Both workers drop the database connection between tasks
    (as they should); in a test it holds the test's own transaction, so that step is left out."""
    if settings.TASK_BACKEND == "rq":
        with mock.patch(
            "django_rq.management.commands.rqworker.reset_db_connections", lambda: None
        ):
            call_command(
                "rqworker",
                "--burst",
                "--job-class=django_tasks_rq.Job",
                "--worker-class=rq.worker.SimpleWorker",
                verbosity=0,
            )
        return
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


def database_url() -> str:
    """The test database, as a process started by the test must reach it."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An xlsx with one sheet per item, each filled row by row (no rows: an empty sheet)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
