"""Reconciliation: drawn rooms matched to the registered rooms of a floor, by number then by position.

Numbers are compared after normalising (NFKC folds full-width digits, spaces and case dropped,
dashes unified); a second pass ignores leading zeros of each digit group ("0101" = "101",
"3-05" = "3-5"), used only for rooms the exact pass left. Rooms still unmatched are paired by
position when both have geometry: the drawn room's inner point inside a registered polygon, else
the nearest registered polygon within ``POSITION_DISTANCE`` metres.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from gongfang.survey.drawings import DrawnRoom
from gongfang.survey.drawings.labels import normalise

POSITION_DISTANCE = 1.0  # metres
CENT = Decimal("0.01")
RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class RegisteredRoom:
    id: int
    number: str
    name: str
    usable_area: Decimal
    geometry: dict | None


@dataclass(frozen=True)
class ReconcileItem:
    kind: str  # "matched" | "new" | "missing"
    room_id: int | None
    drawn: DrawnRoom | None
    registered_area: Decimal | None
    drawn_area: Decimal | None
    difference: Decimal | None  # drawn − registered
    ratio: Decimal | None  # difference / registered
    beyond_tolerance: bool
    matched_by: str | None  # "number" | "position"


def number_key(number: str) -> str:
    """The number as compared: NFKC, no spaces, upper case, one kind of dash."""
    return re.sub(r"\s+", "", normalise(number or "")).upper()


def loose_key(number: str) -> str:
    """The number with leading zeros of each digit group dropped ("B-0101" → "B-101")."""
    return re.sub(r"\d+", lambda m: str(int(m.group(0))), number_key(number))


def _polygon(geometry: dict | None) -> BaseGeometry | None:
    if not geometry:
        return None
    try:
        polygon = shape(geometry)
    except (ShapelyError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None
    if polygon.is_empty:
        return None
    return polygon if polygon.is_valid else polygon.buffer(0)


def _item(
    drawn: DrawnRoom, registered: RegisteredRoom, by: str, tolerance: Decimal
) -> ReconcileItem:
    drawn_area = Decimal(str(drawn.area)).quantize(CENT, ROUND_HALF_UP)
    registered_area = Decimal(registered.usable_area or 0).quantize(CENT, ROUND_HALF_UP)
    difference = drawn_area - registered_area
    if registered_area:
        ratio = (difference / registered_area).quantize(RATIO_PLACES, ROUND_HALF_UP)
        beyond = abs(difference) / registered_area > tolerance
    else:
        ratio, beyond = None, bool(difference)
    return ReconcileItem(
        "matched", registered.id, drawn, registered_area, drawn_area, difference, ratio, beyond, by
    )


def _match_numbers(drawn, registered, key, pairs: dict[int, tuple[int, str]]) -> None:
    taken = {r for r, _ in pairs.values()}
    index: dict[str, list[int]] = {}
    for position, room in enumerate(registered):
        if position not in taken and room.number:
            index.setdefault(key(room.number), []).append(position)
    for position, room in enumerate(drawn):
        if position in pairs or not room.number:
            continue
        candidates = index.get(key(room.number))
        if candidates:
            pairs[position] = (candidates.pop(0), "number")


def _match_positions(drawn, registered, pairs: dict[int, tuple[int, str]]) -> None:
    taken = {r for r, _ in pairs.values()}
    shapes = {p: _polygon(room.geometry) for p, room in enumerate(registered) if p not in taken}
    shapes = {p: polygon for p, polygon in shapes.items() if polygon is not None}
    for position, room in enumerate(drawn):
        if position in pairs or not shapes:
            continue
        polygon = _polygon(room.geometry)
        if polygon is None:
            continue
        point = polygon.representative_point()
        inside = [p for p, other in shapes.items() if other.contains(point)]
        if inside:
            chosen = inside[0]
        else:
            chosen, other = min(shapes.items(), key=lambda item: item[1].distance(point))
            if other.distance(point) > POSITION_DISTANCE:
                continue
        pairs[position] = (chosen, "position")
        del shapes[chosen]


def reconcile(
    drawn: list[DrawnRoom], registered: list[RegisteredRoom], *, tolerance: Decimal
) -> list[ReconcileItem]:
    """Matched pairs and new drawn rooms in drawing order, then the registered rooms not drawn."""
    pairs: dict[int, tuple[int, str]] = {}
    _match_numbers(drawn, registered, number_key, pairs)
    _match_numbers(drawn, registered, loose_key, pairs)
    _match_positions(drawn, registered, pairs)
    items = []
    for position, room in enumerate(drawn):
        if position in pairs:
            index, by = pairs[position]
            items.append(_item(room, registered[index], by, tolerance))
        else:
            area = Decimal(str(room.area)).quantize(CENT, ROUND_HALF_UP)
            items.append(ReconcileItem("new", None, room, None, area, None, None, False, None))
    matched = {index for index, _ in pairs.values()}
    for index, room in enumerate(registered):
        if index not in matched:
            area = Decimal(room.usable_area or 0).quantize(CENT, ROUND_HALF_UP)
            items.append(
                ReconcileItem("missing", room.id, None, area, None, None, None, False, None)
            )
    return items
