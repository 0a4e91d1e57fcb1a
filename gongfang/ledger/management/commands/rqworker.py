"""``manage.py rqworker``: django-rq's worker (``TASK_BACKEND=rq``), which first reclaims the
import batches of a worker that died, as ``db_worker`` does."""

from __future__ import annotations

from django_rq.management.commands import rqworker

from .db_worker import report_reclaimed


class Command(rqworker.Command):
    def handle(self, *args, **options) -> None:
        report_reclaimed(self.stdout)
        super().handle(*args, **options)
