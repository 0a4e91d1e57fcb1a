"""The queue task that runs a scheduled job (``services.run_job``) in the worker."""

from __future__ import annotations

from django_tasks import task


@task()
def run_scheduled_job(key: str) -> str:
    from .services import run_job

    return run_job(key=key)
