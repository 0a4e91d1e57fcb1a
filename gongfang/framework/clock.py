"""The one clock the rules and the scheduler read: "now" and "today" (Asia/Shanghai).

It is the real time shifted by an offset that only tests move (the ``clock`` fixture in the
project's ``conftest.py``): a test can step 31 days past a retirement and watch the scheduled scan
raise R3, without patching the time functions of every module.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

_offset = datetime.timedelta(0)


def now() -> datetime.datetime:
    """The current moment (aware, UTC)."""
    return timezone.now() + _offset


def today() -> datetime.date:
    """The current day in the project's time zone (Asia/Shanghai)."""
    return timezone.localdate(now())


def advance(delta: datetime.timedelta) -> None:
    """Move the clock forward (or back, with a negative delta). For tests."""
    global _offset
    _offset += delta


def reset() -> None:
    """Back to the real time."""
    global _offset
    _offset = datetime.timedelta(0)
