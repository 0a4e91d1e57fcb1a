"""``manage.py db_worker``: django-tasks-db's worker, which first reclaims the import batches of
a worker that died (the one it replaces, most likely)."""

from __future__ import annotations

from django.core.management.base import OutputWrapper
from django_tasks_db.management.commands import db_worker

from ...services import reclaim_stuck_batches


def report_reclaimed(stdout: OutputWrapper) -> None:
    """Reclaim stuck batches and say which (the worker's log)."""
    for batch in reclaim_stuck_batches():
        stdout.write(f"Reclaimed import batch {batch.pk} ({batch.filename}): {batch.message}")


class Command(db_worker.Command):
    def handle(self, *args, **options) -> None:
        report_reclaimed(self.stdout)
        super().handle(*args, **options)
