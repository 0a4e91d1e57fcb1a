"""Queue tasks (django-tasks: the database backend and ``manage.py db_worker`` by default, RQ
and ``manage.py rqworker`` with ``TASK_BACKEND=rq``)."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def run_batch(batch_id: int, stage: str) -> None:
    """Preview or commit a large import batch ("preview" / "commit"); first fail the batches
    whose worker died (this worker may be the one that replaced it)."""
    from .services import reclaim_stuck_batches, run_stage

    try:
        reclaim_stuck_batches()
    except DatabaseError:  # e.g. SQLite busy with another worker's import: the next run will do
        logger.warning("reclaiming stuck import batches failed", exc_info=True)
    run_stage(batch_id, stage)
