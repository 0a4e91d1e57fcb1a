"""Queue tasks (django-tasks, database backend; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_batch(batch_id: int, stage: str) -> None:
    """Preview or commit a large import batch ("preview" / "commit")."""
    from .services import run_stage

    run_stage(batch_id, stage)
