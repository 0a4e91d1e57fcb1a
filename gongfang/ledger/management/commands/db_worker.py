"""``manage.py db_worker``: django-tasks-db's worker, which first reclaims the import batches of
a worker that died (the one it replaces, most likely)."""

from __future__ import annotations

from django_tasks_db.management.commands import db_worker

from ...services import reclaim_stuck_batches


class Command(db_worker.Command):
    def handle(self, *args, **options) -> None:
        for batch in reclaim_stuck_batches():
            self.stdout.write(
                f"Reclaimed import batch {batch.pk} ({batch.filename}): {batch.message}"
            )
        super().handle(*args, **options)
