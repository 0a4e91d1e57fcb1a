"""``manage.py db_worker``: django-tasks-db's worker, which first reclaims what a worker that
died left running (the one it replaces, most likely): import batches, and queue rows of this
host's worker processes that are gone. Its worker id is ``host:pid:nonce`` so that the next
worker can tell."""

from __future__ import annotations

from django.core.management.base import OutputWrapper
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from ...lease import worker_is_gone, worker_token
from ...services import WorkerLost, reclaim_stuck_batches


def report_reclaimed(stdout: OutputWrapper) -> None:
    """Reclaim stuck batches and say which (the worker's log)."""
    for batch in reclaim_stuck_batches():
        stdout.write(f"Reclaimed import batch {batch.pk} ({batch.filename}): {batch.message}")


def fail_dead_runs(stdout: OutputWrapper) -> None:
    """Close as failed the queue rows still RUNNING under a worker process of this host that is
    gone (only the worker running a task closes its row)."""
    for row in DBTaskResult.objects.running():
        worker = row.worker_ids[-1] if row.worker_ids else ""
        if worker_is_gone(worker):
            row.set_failed(WorkerLost(f"后台任务进程 {worker} 中断，任务“{row.task_name}”未完成。"))
            stdout.write(f"Closed task {row.id} ({row.task_path}) of dead worker {worker}")


class Command(db_worker.Command):
    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_token()[-64:])

    def handle(self, *args, **options) -> None:
        report_reclaimed(self.stdout)
        fail_dead_runs(self.stdout)
        super().handle(*args, **options)
