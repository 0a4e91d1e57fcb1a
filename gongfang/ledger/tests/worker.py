"""Running the task queue's worker inside a test."""

from __future__ import annotations

import io
from unittest import mock

from django.core.management import call_command


def run_worker() -> None:
    """The queue's worker, run until the queue is empty. The worker drops connections that are
    inside a transaction (between tasks, as it should); in a test the transaction is the test's
    own, so that step is left out here."""
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
