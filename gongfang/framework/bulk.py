"""Inserting thousands of rows at once (an import, its change log) without the ORM's per-row
compilation: ids reserved ahead, then one ``executemany`` of plain tuples.

``bulk_create`` compiles every value of every row through its field (about a third of a city
import's time) and on SQLite cannot hand back the ids of more than one row. Here each column's
conversion is chosen once; text, integer, boolean and foreign-key values go to the driver as
they are. Ids are taken before the insert — from the table's sequence on PostgreSQL, after the
highest id ever used on SQLite, whose transactions hold the write lock from their start — so
callers know them at once (to link children, to chain the change log).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from django.db import connections, models, router, transaction
from django.utils import timezone

# Columns whose Python value the drivers (sqlite3, psycopg) take unconverted. Exact classes:
# a subclass may convert differently.
_PLAIN = frozenset(
    {
        models.CharField,
        models.TextField,
        models.SmallIntegerField,
        models.IntegerField,
        models.BigIntegerField,
        models.PositiveSmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveBigIntegerField,
        models.BooleanField,
        models.ForeignKey,
        models.OneToOneField,
    }
)


def _converter(field: models.Field, connection) -> Callable[[Any], Any] | None:
    """The conversion of one column's values, or None when the driver takes them as they are.

    Rows written together often share a value object (the time of the write, the request id):
    it is converted once.
    """
    if type(field) in _PLAIN:
        return None
    prep = field.get_db_prep_save
    last: list[Any] = [object(), None]  # the last value converted and its conversion

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, prep(value, connection=connection)
        return last[1]

    return convert


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys of ``model``'s table, for the current transaction's insert."""
    if count <= 0:
        return []
    connection = connections[router.db_for_write(model)]
    if not connection.in_atomic_block:
        raise RuntimeError("reserve_ids() needs a transaction: the ids are not locked otherwise")
    table = model._meta.db_table
    column = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"reserve_ids() does not support {connection.vendor}")
        # AUTOINCREMENT never reuses an id: start after the highest one ever handed out.
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max({quote(column)}) FROM {quote(table)}), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def insert_values(
    model: type[models.Model],
    fields: Sequence[models.Field],
    rows: Sequence[Sequence[Any]],
    *,
    encoded: Collection[str] = (),
) -> None:
    """INSERT ``rows`` (Python values of ``fields``, in that order) by one ``executemany``;
    the fields named in ``encoded`` hold values already as the database takes them (JSON
    text)."""
    _execute_insert(model, fields, rows, encoded=encoded)


def upsert_values(
    model: type[models.Model],
    fields: Sequence[models.Field],
    rows: Sequence[Sequence[Any]],
    *,
    unique: models.Field,
    newer: models.Field | None = None,
) -> None:
    """INSERT ``rows`` or, where a row with the same ``unique`` value exists, overwrite its other
    fields — only when the new ``newer`` value is greater, if given (a late report never
    replaces a later one). One ``executemany``, no SELECT before: PostgreSQL and SQLite (3.24+)
    both take ``ON CONFLICT … DO UPDATE … WHERE``."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    sets = ", ".join(
        f"{quote(f.column)} = excluded.{quote(f.column)}" for f in fields if f != unique
    )
    suffix = f" ON CONFLICT ({quote(unique.column)}) DO UPDATE SET {sets}"
    if newer is not None:
        suffix += f" WHERE {table}.{quote(newer.column)} < excluded.{quote(newer.column)}"
    _execute_insert(model, fields, rows, suffix=suffix)


def update_values(
    model: type[models.Model],
    fields: Sequence[models.Field],
    rows: Sequence[Sequence[Any]],
) -> None:
    """UPDATE rows by primary key: each of ``rows`` is the Python values of ``fields`` then the
    pk. One ``executemany`` of one short statement (``bulk_update`` builds a CASE over every
    row and field: most of a busy writer's time when the values are long JSON routes)."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET "
        f"{', '.join(f'{quote(f.column)} = %s' for f in fields)} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    _executemany(connection, sql, [*fields, model._meta.pk], rows, ())


def _execute_insert(
    model: type[models.Model],
    fields: Sequence[models.Field],
    rows: Sequence[Sequence[Any]],
    *,
    encoded: Collection[str] = (),
    suffix: str = "",
) -> None:
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}){suffix}"
    )
    _executemany(connection, sql, fields, rows, encoded)


def _executemany(connection, sql: str, fields, rows, encoded: Collection[str]) -> None:
    """Run ``sql`` for each row, the values converted as their fields require."""
    converters = [
        (i, c)
        for i, f in enumerate(fields)
        if f.name not in encoded and (c := _converter(f, connection))
    ]
    if converters:
        params = []
        for row in rows:
            values = list(row)
            for i, convert in converters:
                values[i] = convert(values[i])
            params.append(values)
    else:
        params = rows
    with (
        transaction.atomic(using=connection.alias, savepoint=False),
        connection.cursor() as cursor,
    ):
        cursor.executemany(sql, params)


def insert_objects(objs: Sequence[models.Model]) -> None:
    """Insert new instances of one model as ``bulk_create`` would (their ``pk`` set, automatic
    dates filled), in one ``executemany``; instances that already have a pk keep it."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    db = router.db_for_write(model)
    missing = [obj for obj in objs if obj.pk is None]
    for obj, pk in zip(missing, reserve_ids(model, len(missing)), strict=True):
        obj.pk = pk
    now = timezone.now()
    fields = list(meta.concrete_fields)
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)
        elif isinstance(field, models.FileField) and any(
            (f := getattr(obj, field.attname)) and not f._committed for obj in objs
        ):
            raise NotImplementedError("insert_objects() does not upload files")
    attnames = [f.attname for f in fields]
    insert_values(model, fields, [[getattr(obj, a) for a in attnames] for obj in objs])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = db
