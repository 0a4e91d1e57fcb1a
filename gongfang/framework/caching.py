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
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from .models import AuditChainHead

T = TypeVar("T")
TIMEOUT = 10 * 60


def data_generation() -> str:
    """The id and hash of the newest change-log row: one primary-key read. (The hash tells a
    rebuilt database from the old one when the ids start over.)"""
    head = AuditChainHead.objects.filter(pk=1).values_list("last_id", "last_hash").first()
    return f"{head[0]}-{head[1][:16]}" if head else "0"


def _sql(queryset: QuerySet) -> tuple | None:
    """What a queryset asks of the database (scope and filters included); None when nothing."""
    try:
        return (queryset.db, queryset.query.sql_with_params())
    except EmptyResultSet:  # a filter that matches nothing
        return None


def count(queryset: QuerySet) -> int:
    """``queryset.count()``, cached by its SQL until the next write: a list page counts all its
    rows for its pagination."""
    sql = _sql(queryset)
    return 0 if sql is None else cached("count", sql, queryset.count)


def values(queryset: QuerySet) -> list:
    """``list(queryset)`` of a ``values_list`` queryset, cached by its SQL until the next write:
    a list page's keys in its order, sorted from every row in the scope."""
    sql = _sql(queryset)
    return [] if sql is None else cached("values", sql, lambda: list(queryset))


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
