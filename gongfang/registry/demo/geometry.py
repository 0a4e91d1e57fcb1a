"""Geometry for every demo floor: a generated office plan whose rooms have the registered areas,
so the floor plans (一图展示) and the survey reconciliation have something to show at once.

The layout is the survey app's pure generator (``survey.drawings.samples``, no models): imported
here lazily, from demo code only, as the one place the registry's demo reaches upwards.
"""

from __future__ import annotations

from collections import defaultdict

from .plan import Plan


def room_geometries(plan: Plan) -> list[dict | None]:
    """Room.geometry for each of ``plan.rooms``, in order (None for a room without area)."""
    from ...survey.drawings.samples import office_floor_layout

    by_floor: dict[int, list[int]] = defaultdict(list)
    for index, room in enumerate(plan.rooms):
        by_floor[room.floor].append(index)
    result: list[dict | None] = [None] * len(plan.rooms)
    for indexes in by_floor.values():
        layout = office_floor_layout(
            [(plan.rooms[i].number, plan.rooms[i].name, plan.rooms[i].usable_area) for i in indexes]
        )
        for i in indexes:
            result[i] = layout.get(str(plan.rooms[i].number))
    return result
