"""Generated office floors: plans, DXF drawings and IFC buildings whose rooms have given areas.

Used by the tests, the demo (every demo floor gets geometry) and the benchmarks. Everything is
deterministic: the same room list always gives the same plan, byte for byte.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

CORRIDOR_WIDTH = 2.1
DEPTH = 6.0
MIN_WIDTH = 2.4
MAX_WIDTH = 9.0
MAX_DEPTH = 15.0
L_SHAPE_FROM = 60.0  # rooms this large get a cut-out corner (an L), like a hall around a closet
L_CUT = 1 / 3  # the cut-out is a third of the width by a third of the depth
DIGITS = 4  # coordinates in 0.1 mm: rounding changes an area by well under 0.01 m²

RoomSpec = tuple[str, str, "float | Decimal"]


def _ring(points: list[tuple[float, float]]) -> list[list[float]]:
    ring = [[round(x, DIGITS), round(y, DIGITS)] for x, y in points]
    return [*ring, list(ring[0])]


def ring_area(ring: list[list[float]]) -> float:
    """Signed area of a closed ring (shoelace); positive when counter-clockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)) / 2


def _room_shape(area: float) -> tuple[float, float, bool]:
    """Width, depth and whether the room is an L, for a room of ``area`` m²."""
    l_shape = area >= L_SHAPE_FROM
    usable = 1 - L_CUT * L_CUT if l_shape else 1.0
    width = min(max(area / DEPTH, MIN_WIDTH), MAX_WIDTH)
    depth = area / (width * usable)
    if depth > MAX_DEPTH:
        depth = MAX_DEPTH
        width = area / (depth * usable)
    return round(width, 3), depth, l_shape


def _room_polygon(
    x0: float, width: float, area: float, side: int, l_shape: bool
) -> list[list[float]]:
    """The ring of a room starting at ``x0`` along the corridor; side -1 south (below), +1 north."""
    usable = 1 - L_CUT * L_CUT if l_shape else 1.0
    depth = round(area / (width * usable), DIGITS)
    base = 0.0 if side < 0 else CORRIDOR_WIDTH  # the corridor is the strip 0 <= y <= CORRIDOR_WIDTH
    far = base + side * depth
    x1 = x0 + width
    if not l_shape:
        points = [(x0, base), (x0, far), (x1, far), (x1, base)]
    else:
        cut_x = x1 - width * L_CUT
        cut_y = far - side * depth * L_CUT
        points = [(x0, base), (x0, far), (cut_x, far), (cut_x, cut_y), (x1, cut_y), (x1, base)]
    ring = _ring(points)
    if ring_area(ring) < 0:
        ring.reverse()
    return ring


def office_floor_layout(rooms: list[RoomSpec]) -> dict[str, dict]:
    """Plan of an office floor: a corridor along x with the rooms alternately south and north of it.

    Each room is a rectangle (an L from 60 m²) whose polygon area equals the given area within
    0.01 m²; widths are kept between 2.4 and 9 m by adjusting the depth. Rooms without a positive
    area get no geometry. The result maps each room number to the registry's geometry format
    (metres, y up, exterior counter-clockwise).
    """
    layout: dict[str, dict] = {}
    cursor = {-1: 0.0, 1: 0.0}
    placed = 0
    for number, _name, area in rooms:
        value = float(area or 0)
        if value <= 0:
            continue
        side = -1 if placed % 2 == 0 else 1
        placed += 1
        width, _depth, l_shape = _room_shape(value)
        ring = _room_polygon(cursor[side], width, value, side, l_shape)
        cursor[side] = round(cursor[side] + width, 3)
        layout[str(number)] = {"type": "Polygon", "coordinates": [ring]}
    return layout
