"""How far a running import has got, readable from any process.

The importer works inside one transaction, which hides its own writes from the page that polls
it, so progress lives outside the database: in the file-based cache ``settings.PROGRESS_CACHE``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches


def _cache():
    return caches[settings.PROGRESS_CACHE]


def _key(batch_uuid) -> str:
    return f"ledger-import:{batch_uuid}"


def set_progress(batch_uuid, done: int, total: int, stage: str) -> None:
    _cache().set(_key(batch_uuid), {"done": done, "total": total, "stage": stage})


def get_progress(batch_uuid) -> dict:
    """{"done", "total", "stage", "percent"}; zeros before the task has started."""
    data = _cache().get(_key(batch_uuid)) or {"done": 0, "total": 0, "stage": ""}
    total = data["total"] or 0
    data["percent"] = min(100, round(100 * data["done"] / total)) if total else 0
    return data


def clear_progress(batch_uuid) -> None:
    _cache().delete(_key(batch_uuid))
