"""A database cache outside the caller's transaction, for task progress on several nodes.

A background task writes in one big transaction; progress written to Django's ``DatabaseCache``
would be part of it, hidden from the page that polls it until the task ends. This cache runs
each operation in a short thread of its own, whose own connection commits at once. For
PostgreSQL without Redis only: SQLite has one writer at a time, which a running task holds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections


def _on_own_connection(operation: Callable[..., Any], *args, **kwargs) -> Any:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = operation(*args, **kwargs)
        except BaseException as exc:  # handed back to the caller's thread
            outcome["error"] = exc
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run, name="cache-own-connection")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class OwnConnectionDatabaseCache(DatabaseCache):
    """``DatabaseCache`` whose reads and writes commit on a connection of their own."""

    def get_many(self, keys, version=None):
        return _on_own_connection(super().get_many, keys, version)

    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        return _on_own_connection(super()._base_set, mode, key, value, timeout)

    def _base_delete_many(self, keys):
        return _on_own_connection(super()._base_delete_many, keys)

    def has_key(self, key, version=None):
        return _on_own_connection(super().has_key, key, version)

    def clear(self):
        return _on_own_connection(super().clear)
