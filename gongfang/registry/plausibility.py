"""Plausibility ceilings of areas: a room of 1e9 m² is a typing error, not a fact.

The ceilings are rule data — parameters of the versioned standards, with their source, which a
province may set for its own subtree — but the registry sits below the standards app, so the
standards app hands over its lookup when it starts (:func:`provide`). The services check every
area they save against it; pages, API and imports all reach those checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

# Parameter keys of the ceilings (rows of ``standards.RuleParameter``).
OFFICE_ROOM = "max_office_room_m2"  # a room of category 办公室
ROOM = "max_room_m2"  # any other room, a canteen
BUILDING = "max_building_m2"  # a building's building and usable area
LAND = "max_land_m2"  # a compound's land
CEILING_KEYS = (OFFICE_ROOM, ROOM, BUILDING, LAND)


@dataclass(frozen=True)
class AreaCeiling:
    value: Decimal
    label: str  # the parameter's name, e.g. "办公室房间面积合理上限"
    source: str  # the version it comes from


CeilingLookup = Callable[[str], Mapping[str, AreaCeiling]]
_lookup: list[CeilingLookup] = []


def provide(lookup: CeilingLookup) -> None:
    """Install the function that answers the ceilings in force for a region path (today)."""
    _lookup[:] = [lookup]


def ceilings_for(region_path: str) -> Mapping[str, AreaCeiling]:
    memo = _memo.get()
    if memo is not None and region_path in memo:
        return memo[region_path]
    found = _lookup[0](region_path) if _lookup else {}
    if memo is not None:
        memo[region_path] = found
    return found


# Inside ``remembered()``: region path -> its ceilings, looked up once.
_memo: ContextVar[dict[str, Mapping[str, AreaCeiling]] | None] = ContextVar(
    "plausibility_memo", default=None
)


@contextmanager
def remembered() -> Iterator[None]:
    """Within the block, each place's ceilings are looked up once: an import checks thousands
    of areas in a few hundred places, and the ceilings in force do not change meanwhile."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def region_path_of(instance: Any, *chain: str) -> str:
    """The region path reached from ``instance`` through ``chain`` of foreign keys."""
    target = instance
    for name in chain:
        target = getattr(target, name, None)
        if target is None:
            return ""
    return target.path


def check_area_ceilings(
    instance: Any, region_path: str, keys: Mapping[str, str], before: dict | None
) -> None:
    """Refuse an area above its ceiling; ``keys`` maps each area field to its ceiling's key.
    Only areas written now are checked: a ceiling lowered later does not block other edits."""
    written = {}
    for name in keys:
        value = getattr(instance, name)
        old = before.get(name) if before is not None else None
        if value is not None and (old is None or Decimal(str(old)) != value):
            written[name] = value
    if not written:
        return
    found = ceilings_for(region_path)
    errors = {}
    for name, value in written.items():
        ceiling = found.get(keys[name])
        if ceiling is not None and value > ceiling.value:
            label = instance._meta.get_field(name).verbose_name
            errors[name] = (
                f"{label} {value} 平方米超过合理上限 {ceiling.value:f} 平方米"
                f"（{ceiling.label}，{ceiling.source}），请核实是否录入有误。"
            )
    if errors:
        raise ValidationError(errors)
