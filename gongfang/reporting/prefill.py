"""Pre-filling a form's cells from the registry as it stood on the period's date.

A field's ``prefill`` is data, never code::

    {"model": "room", "agg": "sum", "field": "usable_area", "filter": {"category": "office"}}

``model`` names one of :data:`SOURCES`; ``agg`` is ``sum``, ``count`` or ``value`` (the unit's own
row: its region's code, its name); ``filter`` compares fields of the row for equality (a list
means "one of"). The evaluator reads the registry's rows once per model for all the units asked
for — through ``registry.asof.rows_as_of`` once that module is there, today's rows until then —
and groups them by reporting unit, so a whole province is pre-filled in a few queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from ..registry.models import Building, Compound, Floor, Organization, Person, Region, Room

AGGREGATES = ("sum", "count", "value")


@dataclass(frozen=True)
class Unit:
    """A reporting unit: an organization, or a region's bureau (organization None)."""

    region_id: int
    organization_id: int | None

    @property
    def key(self) -> str:
        return f"org:{self.organization_id}" if self.organization_id else f"region:{self.region_id}"


@dataclass(frozen=True)
class Source:
    model: type[models.Model]
    # The field naming the owning organization ("" for Organization itself; None: no owner).
    owner: str | None
    # How a row leads to its region: a field of the row, or "floor"/"compound" through a map.
    region: str
    fields: tuple[str, ...]


SOURCES: dict[str, Source] = {
    "room": Source(
        Room,
        "organization",
        "floor",
        ("organization", "floor", "category", "subtype", "status", "usable_area", "building_area"),
    ),
    "building": Source(
        Building, "compound_owner", "compound", ("compound", "building_area", "usable_area")
    ),
    "compound": Source(Compound, "owner_org", "region", ("owner_org", "region")),
    "person": Source(
        Person, "organization", "organization", ("organization", "grade", "employment_status")
    ),
    "organization": Source(
        Organization,
        "",
        "region",
        ("region", "kind", "level", "status", "staffing_quota", "institution_staffing_quota"),
    ),
    "region": Source(Region, None, "", ("code", "name", "level")),
}


def validate_spec(spec: object) -> list[str]:
    """What is wrong with a prefill expression (Chinese), or nothing."""
    if spec in (None, {}, ""):
        return []
    if not isinstance(spec, dict):
        return ["预填表达式应为 JSON 对象。"]
    errors = []
    source = SOURCES.get(spec.get("model"))
    if source is None:
        errors.append(f"未知的数据对象“{spec.get('model')}”，可选：{'、'.join(SOURCES)}。")
        return errors
    if spec.get("agg") not in AGGREGATES:
        errors.append(f"汇总方式应为 {'、'.join(AGGREGATES)} 之一。")
    field = spec.get("field")
    if spec.get("agg") in ("sum", "value") and field not in source.fields:
        errors.append(f"字段“{field}”不可用，可选：{'、'.join(source.fields)}。")
    filters = spec.get("filter") or {}
    if not isinstance(filters, dict) or any(k not in source.fields for k in filters):
        errors.append(f"筛选条件只能使用：{'、'.join(source.fields)}。")
    return errors


def _value(row: dict, name: str):
    """A row's field, whether the row names a foreign key by field or by attname."""
    return row[name] if name in row else row.get(f"{name}_id")


def _rows(model: type[models.Model], at: datetime.datetime | None, fields: Iterable[str]):
    """The model's rows with ``fields`` as of ``at`` (registry.asof), or today's."""
    fields = list(fields)
    if at is not None:
        try:
            from ..registry.asof import rows_as_of
        except ImportError:
            rows_as_of = None
        if rows_as_of is not None:
            return rows_as_of(model, at=at, fields=fields)
    attnames = [model._meta.get_field(f).attname for f in fields]
    return [
        dict(zip(["id", *fields], values, strict=True))
        for values in model._base_manager.values_list("id", *attnames)
    ]


# Fields that only place a row (its owner, its region): never a filter's dimension.
PLACING = frozenset({"organization", "floor", "compound", "owner_org", "region"})
NUMERIC = frozenset(
    {"usable_area", "building_area", "staffing_quota", "institution_staffing_quota"}
)


def _dimensions(source: Source) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the fields rows are bucketed by, the fields summed in each bucket)."""
    if source.model is Region:  # its own values are read, nothing is summed
        return source.fields, ()
    dims = tuple(f for f in source.fields if f not in PLACING and f not in NUMERIC)
    return dims, tuple(f for f in source.fields if f in NUMERIC)


def _compiled(filters: dict) -> list[tuple[str, frozenset]]:
    """(field, accepted values) pairs: a list means one of, a value itself."""
    return [
        (name, frozenset(wanted) if isinstance(wanted, list) else frozenset([wanted]))
        for name, wanted in filters.items()
    ]


class Evaluator:
    """Evaluates prefill expressions for many units over one read of each source."""

    def __init__(self, at: datetime.datetime | None) -> None:
        self.at = at
        self._grouped: dict[str, dict[str, list[dict]]] = {}
        self._floor_region: dict[int, int] | None = None
        self._compound: dict[int, tuple[int, int | None]] | None = None

    # Maps from the current rows: floors and compounds do not move between regions.
    def _floors(self) -> dict[int, int]:
        if self._floor_region is None:
            self._floor_region = dict(
                Floor._base_manager.values_list("id", "building__compound__region_id")
            )
        return self._floor_region

    def _compounds(self) -> dict[int, tuple[int, int | None]]:
        if self._compound is None:
            self._compound = {
                pk: (region, owner)
                for pk, region, owner in Compound._base_manager.values_list(
                    "id", "region_id", "owner_org_id"
                )
            }
        return self._compound

    def _unit_keys(self, name: str, row: dict) -> list[str]:
        """The reporting units a row counts for: its owner, or (unowned) its region's bureau."""
        if name == "region":
            return [f"region:{row['id']}"]
        if name == "organization":
            return [f"org:{row['id']}", f"region:{_value(row, 'region')}"]
        if name == "compound":
            owner, region = _value(row, "owner_org"), _value(row, "region")
        elif name == "building":
            region, owner = self._compounds().get(_value(row, "compound"), (None, None))
        elif name == "person":
            owner = _value(row, "organization")
            return [f"org:{owner}"] if owner else []
        else:  # room
            owner = _value(row, "organization")
            region = self._floors().get(_value(row, "floor"))
        if owner:
            return [f"org:{owner}"]
        return [f"region:{region}"] if region else []

    def grouped(self, name: str) -> dict[str, dict[tuple, list]]:
        """{unit key: {the row's dimension values: [count, sum of each numeric field]}}.

        Rows are summed into buckets once (a city's 17,000 rooms fall into a few buckets per
        unit), so each expression reads buckets, never rows."""
        if name not in self._grouped:
            source = SOURCES[name]
            dims, sums = _dimensions(source)
            groups: dict[str, dict[tuple, list]] = defaultdict(dict)
            for row in _rows(source.model, self.at, source.fields):
                bucket_key = tuple(_value(row, d) for d in dims)
                for key in self._unit_keys(name, row):
                    bucket = groups[key].get(bucket_key)
                    if bucket is None:
                        bucket = groups[key][bucket_key] = [0, *([Decimal(0)] * len(sums))]
                    bucket[0] += 1
                    for i, f in enumerate(sums, start=1):
                        bucket[i] += _value(row, f) or 0
            self._grouped[name] = groups
        return self._grouped[name]

    def evaluate(self, spec: dict, unit: Unit):
        """The value of one (valid: :func:`validate_spec`) expression for one unit."""
        name, agg = spec["model"], spec["agg"]
        key = f"region:{unit.region_id}" if name == "region" else unit.key
        dims, sums = _dimensions(SOURCES[name])
        tests = [(dims.index(f), accepted) for f, accepted in _compiled(spec.get("filter") or {})]
        buckets = [
            (values, totals)
            for values, totals in self.grouped(name).get(key, {}).items()
            if all(values[i] in accepted for i, accepted in tests)
        ]
        if agg == "count":
            return sum(totals[0] for _, totals in buckets)
        if agg == "value" and spec["field"] in dims:
            return buckets[0][0][dims.index(spec["field"])] if buckets else None
        i = sums.index(spec["field"]) + 1
        return sum((Decimal(str(totals[i])) for _, totals in buckets), Decimal(0))


def prefill_units(fields, units: Iterable[Unit], *, at: datetime.datetime | None) -> dict:
    """{unit key: {field code: value}} for every field with an expression."""
    evaluator = Evaluator(at)
    fields = [f for f in fields if f.prefill and not validate_spec(f.prefill)]
    return {
        unit.key: {f.code: as_cell(f, evaluator.evaluate(f.prefill, unit)) for f in fields}
        for unit in units
    }


def as_cell(field, value):
    """A computed value as the cell stores it: numbers rounded to the field's decimals, as text
    (JSON keeps decimals exactly so)."""
    if value is None:
        return None
    if field.kind in ("number", "integer"):
        places = 0 if field.kind == "integer" else field.decimals
        quantum = Decimal(1).scaleb(-places)
        return str(Decimal(str(value)).quantize(quantum))
    return str(value)


AGG_LABELS = {"sum": "合计", "count": "计数", "value": "取值"}


def describe_spec(spec: dict | None) -> str:
    """A prefill expression as a reader reads it: 房间·使用面积合计（用房类别：办公室）."""
    if not spec:
        return "手工填报"
    if validate_spec(spec):
        return "（预填表达式有误）"
    model = SOURCES[spec["model"]].model

    def label(name: str) -> str:
        return str(model._meta.get_field(name).verbose_name)

    def shown(name: str, value) -> str:
        choices = dict(model._meta.get_field(name).flatchoices)
        values = value if isinstance(value, list) else [value]
        return "、".join(str(choices.get(v, v)) for v in values)

    what = label(spec["field"]) if spec.get("field") else ""
    text = f"{model._meta.verbose_name}·{what}{AGG_LABELS[spec['agg']]}"
    conditions = [f"{label(k)}：{shown(k, v)}" for k, v in (spec.get("filter") or {}).items()]
    return text + (f"（{'；'.join(conditions)}）" if conditions else "")
