"""The registry of periodic jobs: each app registers its own (in ``AppConfig.ready``).

A job is a function taking no argument and returning a short Chinese summary of what it did; it
raises to report a failure. The scheduler (``gongfang.scheduler``) keeps a row per registered job
— its interval or time of day, whether it is enabled, its last and next run — and runs it on the
task queue when it is due. Registering here is all an app does: the scheduler is never edited to
add a job.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    """A periodic job and its default schedule: every ``interval``, or daily ``at`` a time of
    day (Asia/Shanghai). The schedule page may change both later; the defaults apply to a new
    installation."""

    key: str
    name: str
    run: Callable[[], str]
    description: str = ""
    interval: datetime.timedelta | None = None
    at: datetime.time | None = None

    def __post_init__(self) -> None:
        if (self.interval is None) == (self.at is None):
            raise ValueError(f"job {self.key}: give either an interval or a time of day")


JOBS: dict[str, Job] = {}


def register_job(job: Job) -> Job:
    """Make ``job`` known to the scheduler (idempotent: ``ready()`` may run twice in tests)."""
    JOBS[job.key] = job
    return job


def registered_job(key: str) -> Job | None:
    return JOBS.get(key)
