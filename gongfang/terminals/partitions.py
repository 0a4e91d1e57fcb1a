"""Monthly partitions of ``terminals_position`` on PostgreSQL.

The table is partitioned by range of ``recorded_at``; a DEFAULT partition catches a report dated
outside every month made (a terminal with a wrong clock) so an insert never fails. The periodic
job creates the months ahead; a month whose rows already sit in the default partition is moved
out of it first (PostgreSQL refuses to create a partition overlapping rows in the default).
On SQLite the table is a plain one and these functions do nothing.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction

TABLE = "terminals_position"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_{month:%Y%m}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s",
            [TABLE],
        )
        return cursor.fetchone() is not None


def existing_partitions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        return {row[0] for row in cursor.fetchall()}


def create_month(month: datetime.date) -> bool:
    """Create the partition of ``month`` if missing; False when it existed."""
    name = partition_name(month)
    if name in existing_partitions():
        return False
    start, end = month_start(month), next_month(month)
    bounds = f"FROM ('{start:%Y-%m-%d} 00:00:00+08') TO ('{end:%Y-%m-%d} 00:00:00+08')"
    where = f"recorded_at >= '{start:%Y-%m-%d} 00:00:00+08' AND recorded_at < '{end:%Y-%m-%d} 00:00:00+08'"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE}_default IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"SELECT 1 FROM {TABLE}_default WHERE {where} LIMIT 1")
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES {bounds}")
        else:
            cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
            cursor.execute(f"INSERT INTO {name} SELECT * FROM {TABLE}_default WHERE {where}")
            cursor.execute(f"DELETE FROM {TABLE}_default WHERE {where}")
            cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {bounds}")
    return True


def ensure_months(start: datetime.date, end: datetime.date) -> list[str]:
    """Partitions for every month from ``start`` to ``end`` (inclusive); names created."""
    if not is_partitioned():
        return []
    created = []
    month = month_start(start)
    while month <= end:
        if create_month(month):
            created.append(partition_name(month))
        month = next_month(month)
    return created
