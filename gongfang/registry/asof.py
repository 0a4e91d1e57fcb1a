"""The registry as it was on a past date, read back from the change log.

Every write through a service logs the whole row before it (``prechange_data``), so the state
of a row at a moment ``at`` is the "before" of its first logged write after ``at``; a row with
no logged write after ``at`` is as it is today. Nothing is replayed: one pass over the log
entries after ``at`` and one query of today's rows.

What the log does not hold is decided as follows (and shown to users as such):

- A row whose creation was never logged (the demo's and loaders' bulk inserts, data carried
  over at go-live) belongs to the **baseline**: it existed at every date the log speaks of, with
  the values its first logged write found (today's values when there was none). Its
  ``created_at`` is the time of the load, not of the room, and is not used.
- A row whose creation was logged existed from that entry on; one whose deletion was logged
  existed until then, with the values the deletion recorded.
- Rows deleted by a cascade (a building's floors and rooms deleted with it) leave no entry of
  their own and are unknown before the deletion too.
- Filters on a related object (``organization__path__startswith``) take that object as it is
  today; the row's own reference to it (``organization``) is taken as it was.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from ..framework.models import ObjectChange

# Lookups evaluated in Python on historical values; their meaning as in Django.
_LOOKUPS = {
    "exact": operator.eq,
    "in": lambda value, arg: value in arg,
    "isnull": lambda value, arg: (value is None) == bool(arg),
    "gt": lambda value, arg: value is not None and value > arg,
    "gte": lambda value, arg: value is not None and value >= arg,
    "lt": lambda value, arg: value is not None and value < arg,
    "lte": lambda value, arg: value is not None and value <= arg,
    "startswith": lambda value, arg: value is not None and str(value).startswith(arg),
}
_ROW_ACTIONS = (ObjectChange.Action.CREATE, ObjectChange.Action.UPDATE, ObjectChange.Action.DELETE)
_CHUNK = 500


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The moment a day ends in local time: figures "as of" a date include the whole day."""
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(start)


def _field(model: type[models.Model], name: str) -> models.Field:
    if name in ("pk", "id"):
        return model._meta.pk
    field = model._meta.get_field(name)
    if not getattr(field, "concrete", False):
        raise ValueError(f"{model.__name__}.{name} is not a stored field")
    return field


def _own_name(model: type[models.Model], name: str) -> str:
    """A field's name as the change log keys it (``organization``, not ``organization_id``)."""
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field.name
    if name in ("pk", "id"):
        return model._meta.pk.name
    raise ValueError(f"{model.__name__} has no field {name!r}")


def _python(field: models.Field, value):
    """A value from the log's JSON as the database gives it back."""
    if value is None:
        return None
    if isinstance(value, models.Model):
        value = value.pk
    if field.is_relation:
        return field.target_field.to_python(value)
    if isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


class _Filter:
    """One filter, evaluated both by the database (today's rows) and in Python (logged ones).

    A lookup through a relation is turned into "the reference is one of these ids", the ids of
    the related rows matching it today.
    """

    def __init__(self, model: type[models.Model], key: str, arg) -> None:
        self.key, self.arg = key, arg
        parts = key.split("__")
        lookup = parts[-1] if len(parts) > 1 and parts[-1] in _LOOKUPS else "exact"
        names = parts[:-1] if parts[-1] == lookup else parts
        if not names:
            raise ValueError(f"bad filter {key!r}")
        self.name = _own_name(model, names[0])
        field = _field(model, self.name)
        if len(names) > 1:
            if not field.is_relation:
                raise ValueError(f"{key!r}: {names[0]} is not a relation")
            related = field.related_model._base_manager.filter(
                **{"__".join([*names[1:], lookup]): arg}
            )
            self.test = _LOOKUPS["in"]
            self.arg = set(related.values_list("pk", flat=True))
            return
        self.test = _LOOKUPS[lookup]
        if lookup == "in":
            self.arg = {_python(field, v) for v in arg}
        elif lookup not in ("isnull", "startswith"):
            self.arg = _python(field, arg)

    def __call__(self, row: dict) -> bool:
        return self.test(row.get(self.name), self.arg)


def states_as_of(
    model: type[models.Model], *, at: datetime.datetime, ids: Iterable[int] | None = None
) -> dict[int, dict | None]:
    """{id: the row's logged state at ``at`` (every field, JSON values) or None when it did not
    exist yet} for every row with a logged write after ``at`` (only ``ids``, when given)."""
    ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
    entries = ObjectChange._base_manager.filter(
        changed_object_type=ct, time__gt=at, action__in=_ROW_ACTIONS
    )
    if ids is not None:
        entries = entries.filter(changed_object_id__in=list(ids))
    first: dict[int, tuple] = {}
    for object_id, time, pk in entries.values_list("changed_object_id", "time", "pk"):
        known = first.get(object_id)
        if known is None or (time, pk) < known:
            first[object_id] = (time, pk)
    wanted = [pk for _time, pk in first.values()]
    states: dict[int, dict | None] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = ObjectChange._base_manager.filter(pk__in=wanted[start : start + _CHUNK])
        for object_id, action, before in rows.values_list(
            "changed_object_id", "action", "prechange_data"
        ):
            states[object_id] = None if action == ObjectChange.Action.CREATE else (before or {})
    return states


def rows_as_of(
    model: type[models.Model],
    *,
    at: datetime.datetime,
    fields: list[str],
    filters: dict[str, Any] | None = None,
    queryset: models.QuerySet | None = None,
) -> list[dict]:
    """The rows of ``model`` that existed at ``at`` and matched ``filters`` then, each a dict
    of "id" and ``fields`` (foreign keys as ids, under the field's name) as they were at ``at``.

    ``queryset`` (e.g. an account's ``restrict()``) limits today's unchanged rows; rows changed
    since are judged by ``filters`` alone, so a scope must be given as filters too.
    """
    (rows,) = rows_at_moments(
        model, moments=[at], fields=fields, filters=filters, queryset=queryset
    )
    return rows


def rows_at_moments(
    model: type[models.Model],
    *,
    moments: Sequence[datetime.datetime],
    fields: list[str],
    filters: dict[str, Any] | None = None,
    queryset: models.QuerySet | None = None,
) -> list[list[dict]]:
    """:func:`rows_as_of` at each of ``moments`` (in that order) over one read of today's rows:
    comparing two dates costs one pass over a province's rooms, not two.

    A row unchanged since every moment is the same dict in each list (read, do not modify).
    """
    names = [_own_name(model, f) for f in fields]
    model_fields = {name: _field(model, name) for name in names}
    tests = [_Filter(model, key, arg) for key, arg in (filters or {}).items()]
    changed = [states_as_of(model, at=at) for at in moments]

    base = model._base_manager.all() if queryset is None else queryset
    attnames = ["pk", *(model_fields[n].attname for n in names)]
    keys = ["id", *names]
    outs: list[list[dict]] = [[] for _ in moments]
    pairs = list(zip(outs, changed, strict=True))
    for values in base.filter(**(filters or {})).values_list(*attnames).iterator(chunk_size=2000):
        row = None
        for out, since in pairs:
            if values[0] in since:
                continue
            if row is None:
                row = dict(zip(keys, values, strict=True))
            out.append(row)

    filter_fields = {t.name: _field(model, t.name) for t in tests}
    for out, since in pairs:
        for pk, state in since.items():
            if state is None:
                continue
            row = {name: _python(f, state.get(name)) for name, f in filter_fields.items()}
            if not all(test(row) for test in tests):
                continue
            out.append({"id": pk, **{n: _python(model_fields[n], state.get(n)) for n in names}})
        out.sort(key=operator.itemgetter("id"))
    return outs


def count_as_of(model: type[models.Model], *, at: datetime.datetime, filters=None) -> int:
    return len(rows_as_of(model, at=at, fields=[], filters=filters))


def sum_as_of(
    model: type[models.Model], *, at: datetime.datetime, field: str, filters=None
) -> Decimal:
    """The sum of ``field`` over the rows as of ``at`` (0 when there are none)."""
    name = _own_name(model, field)
    rows = rows_as_of(model, at=at, fields=[name], filters=filters)
    return sum((r[name] for r in rows if r[name] is not None), Decimal(0))


def group_sum_as_of(
    model: type[models.Model],
    *,
    at: datetime.datetime,
    by: str,
    field: str,
    filters=None,
) -> dict[Any, tuple[int, Decimal]]:
    """{value of ``by``: (rows, sum of ``field``)} as of ``at`` — per organization, category …"""
    key, name = _own_name(model, by), _own_name(model, field)
    out: dict[Any, tuple[int, Decimal]] = {}
    for row in rows_as_of(model, at=at, fields=[key, name], filters=filters):
        count, total = out.get(row[key], (0, Decimal(0)))
        out[row[key]] = (count + 1, total + (row[name] or 0))
    return out
