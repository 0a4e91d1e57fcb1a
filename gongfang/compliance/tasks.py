"""Queue tasks of the compliance app (django-tasks; the worker runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def recheck_standard(version_id: int, paths: list[str]) -> str:
    """Re-judge the places an edited standard version applies to."""
    from .services import recheck_standard_places

    return recheck_standard_places(version_id=version_id, paths=paths)
