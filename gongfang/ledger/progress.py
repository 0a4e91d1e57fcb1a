"""How far a running import has got, readable from any process (``framework.progress``): the
importer works inside one transaction, which hides its own writes from the page that polls it."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches

from ..framework import progress


def _key(batch_uuid) -> str:
    return f"ledger-import:{batch_uuid}"


def set_progress(batch_uuid, done: int, total: int, stage: str) -> None:
    progress.set_progress(_key(batch_uuid), done=done, total=total, stage=stage)


def get_progress(batch_uuid) -> dict:
    """{"done", "total", "stage", "percent"}; zeros before the task has started."""
    return progress.get_progress(_key(batch_uuid)) or {
        "done": 0,
        "total": 0,
        "stage": "",
        "percent": 0,
    }


def clear_progress(batch_uuid) -> None:
    caches[settings.PROGRESS_CACHE].delete(_key(batch_uuid))
