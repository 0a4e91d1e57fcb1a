"""How far a background task has got, readable from any process (the page that polls it).

A task's transaction hides its own rows from other connections, so progress lives outside the
database: in the cache ``settings.PROGRESS_CACHE`` (files shared by the processes of one node by
default), under a key the task and the page agree on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches


def _cache():
    return caches[settings.PROGRESS_CACHE]


def set_progress(key: str, **data: Any) -> None:
    """Record the task's state (``state``, ``done``, ``total`` and whatever its page shows)."""
    _cache().set(key, data)


def get_progress(key: str) -> dict[str, Any] | None:
    """What was recorded, with ``percent`` (0–100) added; None before anything was."""
    data = _cache().get(key)
    if data is None:
        return None
    total = data.get("total") or 0
    data["percent"] = min(100, round(100 * (data.get("done") or 0) / total)) if total else 0
    return data
