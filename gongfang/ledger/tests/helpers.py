"""Shared by the ledger tests: a workbook built in memory, the queue's worker run in a test."""

from __future__ import annotations

import io
from unittest import mock

import openpyxl
from django.core.management import call_command


def run_worker() -> None:
    """The queue's worker, run until the queue is empty. The worker drops connections that are
    inside a transaction (between tasks, as it should); in a test the transaction is the test's
    own, so that step is left out here."""
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


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
