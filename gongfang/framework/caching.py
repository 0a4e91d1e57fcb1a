"""Figures computed once per state of the data, shared by every process through the cache.

The key carries the *data generation*: the id of the newest change-log row. Every write —
services, imports, the compliance engine — appends to the change log inside its own transaction,
and appends are serialized on the chain head (``AuditChainHead``), so the generation grows with
every committed write and a figure cached under an older one is never read again. A write that
bypasses the change log (a shell, a migration) shows after ``TIMEOUT`` at the latest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache

from .models import AuditChainHead

T = TypeVar("T")
TIMEOUT = 10 * 60


def data_generation() -> int:
    """The id of the newest change-log row (0 before the first): one primary-key read."""
    return AuditChainHead.objects.filter(pk=1).values_list("last_id", flat=True).first() or 0


def scope_key(user) -> tuple[Hashable, ...]:
    """What ``restrict(user, …)`` depends on: the account's scope and roles."""
    return (user.scope_region_id, user.scope_organization_id, tuple(sorted(user.roles or ())))


def cached(name: str, parts: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or its value for ``parts`` at the current data generation."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"gf:{name}:{data_generation()}:{digest}"  # generation read before computing
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
