"""一图展示 of a floor and a building: SVG plans coloured by category, status, organization,
compliance or occupancy (a selector module; the templates draw what it returns).

A floor whose rooms carry geometry (Room.geometry: metres, y up) is drawn to scale; a floor
without any is drawn as a schematic, rooms as boxes proportional to their registered area, and
says so. Every room carries its colour in each mode, so the browser switches modes without a
request (static/gongfang/js/floorplan.js); ``?mode=`` chooses the mode drawn by the server.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from shapely.geometry import Polygon

from ..compliance.models import ACTIVE_STATES, Rule, Warning
from ..framework.links import pk_url
from ..framework.templatetags.gongfang import area as area_text
from .choices import RoomCategory, RoomStatus
from .models import Floor, Occupancy, Room

MODES: dict[str, str] = {
    "category": "用房类别",
    "status": "使用状态",
    "organization": "使用单位",
    "compliance": "超标情况",
    "occupancy": "在用人数",
}
DEFAULT_MODE = "category"

CATEGORY_COLORS = {
    RoomCategory.OFFICE: "#4c8be0",
    RoomCategory.SERVICE: "#f2a23a",
    RoomCategory.EQUIPMENT: "#8c6bd1",
    RoomCategory.ANCILLARY: "#5fb878",
    RoomCategory.TECHNICAL: "#e06c9f",
    RoomCategory.OTHER: "#a0a8b3",
}
STATUS_COLORS = {
    RoomStatus.IN_USE: "#4c8be0",
    RoomStatus.IDLE: "#f2c94c",
    RoomStatus.LENT: "#e0803a",
    RoomStatus.BORROWED: "#9b6bd1",
    RoomStatus.LEASED_OUT: "#d63939",
    RoomStatus.RENTED: "#2bb0a8",
    RoomStatus.SEALED: "#6b7280",
    RoomStatus.PENDING_DISPOSAL: "#b45309",
}
# Organizations: a qualitative palette, in the order the organizations first appear.
ORG_PALETTE = (
    "#4c8be0",
    "#f2a23a",
    "#5fb878",
    "#e06c9f",
    "#8c6bd1",
    "#2bb0a8",
    "#d9a13b",
    "#7b8fa6",
    "#c2553f",
    "#5b7bd5",
    "#9ccc65",
    "#b980c9",
)
NO_ORG = "#d0d5dc"
OVER_STANDARD = "#d63939"
OTHER_WARNING = "#f59f00"
COMPLIANT = "#74c69d"
NOT_READ = "#c7ccd3"
# People in the room → colour (0, 1, 2, 3–4, 5 and more).
OCCUPANCY_STEPS = (
    (0, "#e9ecef", "无人"),
    (1, "#bfd7f5", "1 人"),
    (2, "#7fb0ea", "2 人"),
    (3, "#3f83d6", "3–4 人"),
    (5, "#1d4f91", "5 人及以上"),
)


@dataclass
class PlanRoom:
    pk: int
    number: str
    name: str
    area: Decimal
    organization: str
    category: str
    status: str
    url: str
    occupants: list[str] = field(default_factory=list)
    excess: Decimal | None = None
    warnings: int = 0
    colors: dict[str, str] = field(default_factory=dict)
    path: str = ""  # SVG path data in the plan's frame
    label_x: float = 0.0
    label_y: float = 0.0
    label_size: float = 1.0

    @property
    def number_y(self) -> float:
        """The room number, raised when the over-standard figure goes under it."""
        return round(self.label_y - self.label_size * 0.4, 2) if self.excess else self.label_y

    @property
    def excess_y(self) -> float:
        return round(self.label_y + self.label_size * 0.75, 2)

    @property
    def excess_size(self) -> float:
        return round(self.label_size * 0.55, 2)

    @property
    def color(self) -> str:
        return self.colors.get(self._mode, "#cccccc")

    _mode: str = DEFAULT_MODE


@dataclass
class Plan:
    rooms: list[PlanRoom]
    width: float
    height: float
    schematic: bool
    mode: str
    legends: dict[str, list[tuple[str, str]]]
    missing: list[PlanRoom] = field(default_factory=list)  # rooms without geometry on a drawn floor
    reads_warnings: bool = True

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.2f} {self.height:.2f}"

    @property
    def modes(self) -> list[tuple[str, str]]:
        return list(MODES.items())

    @property
    def stroke(self) -> float:
        return round(max(self.width, self.height) / 800, 3)

    @property
    def svg_rooms(self) -> SafeString:
        return rooms_svg(self.rooms, stroke="#374151", stroke_width=self.stroke, mode=self.mode)


def clean_mode(value: str | None) -> str:
    return value if value in MODES else DEFAULT_MODE


def occupancy_color(count: int) -> str:
    color = OCCUPANCY_STEPS[0][1]
    for least, step_color, _label in OCCUPANCY_STEPS:
        if count >= least:
            color = step_color
    return color


# SVG ---------------------------------------------------------------------------------------------
def rooms_svg(
    rooms: list[PlanRoom], *, stroke: str, stroke_width: float, mode: str | None
) -> SafeString:
    """Each room as an SVG link (its path, number, over-standard figure, a <title> card and
    its colour in every mode for floorplan.js), written here rather than by the template
    engine: a floor of 200 rooms took most of its page's time in the template's loop.
    ``mode`` None: no over-standard figure (the building stack)."""
    parts = []
    for r in rooms:
        number, name, org = escape(r.number), escape(r.name), escape(r.organization)
        room_area = area_text(r.area)
        excess = area_text(r.excess) if r.excess else ""
        colors = " ".join(f'data-c-{key}="{r.colors[key]}"' for key in MODES)
        title = f"{number} {name} · {room_area} m²" + (f" · {org}" if org else "")
        title += f" · {len(r.occupants)} 人" + (f" · 超标 {excess} m²" if excess else "")
        parts.append(
            f'<a href="{r.url}" class="gf-plan-room" data-room="{r.pk}" data-number="{number}" '
            f'data-name="{name}" data-area="{room_area}" data-org="{org}" '
            f'data-occupants="{escape("、".join(r.occupants))}" data-people="{len(r.occupants)}"'
            + (f' data-excess="{excess}"' if excess else "")
            + f" {colors}><title>{title}</title>"
            f'<path d="{r.path}" fill="{r.color}" stroke="{stroke}" stroke-width="{stroke_width}"'
            f' fill-rule="evenodd"/>'
        )
        if r.label_size:
            y = r.number_y if mode is not None else r.label_y
            parts.append(
                f'<text x="{r.label_x}" y="{y}" font-size="{r.label_size}" text-anchor="middle" '
                f'dominant-baseline="central" fill="#111827" pointer-events="none">{number}</text>'
            )
            if excess and mode is not None:
                hidden = "" if mode == "compliance" else ' display="none"'
                parts.append(
                    f'<text class="gf-plan-excess" x="{r.label_x}" y="{r.excess_y}" '
                    f'font-size="{r.excess_size}" text-anchor="middle" dominant-baseline="central" '
                    f'fill="#7f1d1d" font-weight="bold" pointer-events="none"{hidden}>'
                    f"+{excess} m²</text>"
                )
        parts.append("</a>\n")
    return mark_safe("".join(parts))  # every value above is escaped or a number/colour we made


# Facts -------------------------------------------------------------------------------------------
def _rooms(user, rooms_qs) -> list[PlanRoom]:
    # Plain values and one URL pattern: a building's hundreds of rooms without model instances.
    rows = (
        rooms_qs.restrict(user)
        .values_list(
            "pk",
            "number",
            "name",
            "usable_area",
            "category",
            "status",
            "organization__name",
            "geometry",
            "floor_id",
        )
        .order_by("number")
    )
    result = []
    for pk, number, name, area, category, status, organization, geometry, floor_id in rows:
        item = PlanRoom(
            pk=pk,
            number=number,
            name=name,
            area=area,
            organization=organization or "",
            category=category,
            status=status,
            url=pk_url("registry:room", pk),
        )
        item.geometry = geometry  # type: ignore[attr-defined]
        item.floor_id = floor_id  # type: ignore[attr-defined]
        result.append(item)
    return result


def _attach_facts(user, rooms: list[PlanRoom]) -> bool:
    """Occupants, warnings and the colour of each mode; False when the account reads no warnings."""
    ids = [r.pk for r in rooms]
    by_pk = {r.pk: r for r in rooms}
    occupants: dict[int, list[str]] = defaultdict(list)
    current = (
        Occupancy.objects.restrict(user)
        .filter(room_id__in=ids, ended_on__isnull=True)
        .values_list("room_id", "person__name")
        .order_by("room_id", "person__name")
    )
    for room_id, name in current:
        occupants[room_id].append(name)
    reads_warnings = user.has_model_perm(Warning, "view")
    if reads_warnings:
        active = Warning.objects.restrict(user).filter(room_id__in=ids, state__in=ACTIVE_STATES)
        for row in active.values("room_id").annotate(n=Count("pk")).order_by():
            by_pk[row["room_id"]].warnings = row["n"]
        for room_id, excess in active.filter(rule=Rule.R1).values_list("room_id", "excess_area"):
            by_pk[room_id].excess = (by_pk[room_id].excess or Decimal(0)) + (excess or Decimal(0))
    org_colors: dict[str, str] = {}
    for room in rooms:
        room.occupants = occupants.get(room.pk, [])
        if room.organization and room.organization not in org_colors:
            org_colors[room.organization] = ORG_PALETTE[len(org_colors) % len(ORG_PALETTE)]
        if not reads_warnings:
            compliance = NOT_READ
        elif room.excess:
            compliance = OVER_STANDARD
        elif room.warnings:
            compliance = OTHER_WARNING
        else:
            compliance = COMPLIANT
        room.colors = {
            "category": CATEGORY_COLORS.get(room.category, "#a0a8b3"),
            "status": STATUS_COLORS.get(room.status, "#a0a8b3"),
            "organization": org_colors.get(room.organization, NO_ORG),
            "compliance": compliance,
            "occupancy": occupancy_color(len(room.occupants)),
        }
    return reads_warnings


def _legends(rooms: list[PlanRoom], reads_warnings: bool) -> dict[str, list[tuple[str, str]]]:
    present_categories = {r.category for r in rooms}
    present_status = {r.status for r in rooms}
    orgs: dict[str, str] = {}
    for r in rooms:
        if r.organization:
            orgs.setdefault(r.organization, r.colors["organization"])
    if any(not r.organization for r in rooms):
        orgs["未分配单位"] = NO_ORG
    if reads_warnings:
        compliance = [
            (OVER_STANDARD, "面积超标"),
            (OTHER_WARNING, "有其他预警"),
            (COMPLIANT, "无预警"),
        ]
    else:
        compliance = [(NOT_READ, "无权查看预警")]
    return {
        "category": [
            (CATEGORY_COLORS[c], c.label) for c in RoomCategory if c in present_categories
        ],
        "status": [(STATUS_COLORS[s], s.label) for s in RoomStatus if s in present_status],
        "organization": [(color, name) for name, color in orgs.items()],
        "compliance": compliance,
        "occupancy": [(color, label) for _least, color, label in OCCUPANCY_STEPS],
    }


# Shapes ------------------------------------------------------------------------------------------
def _rings(geometry: Any) -> list[list[tuple[float, float]]] | None:
    """The rings of a Room.geometry polygon, or None when it is not a usable polygon."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        return None
    rings = []
    for ring in geometry.get("coordinates") or []:
        try:
            points = [(float(p[0]), float(p[1])) for p in ring]
        except (TypeError, ValueError, IndexError):
            return None
        if len(points) < 3 or not all(math.isfinite(c) for p in points for c in p):
            return None
        rings.append(points)
    return rings or None


def _path(rings, min_x: float, max_y: float) -> str:
    # SVG's y grows downwards: flip about the plan's top edge.
    parts = []
    for ring in rings:
        coords = " ".join(f"{x - min_x:.2f},{max_y - y:.2f}" for x, y in ring)
        parts.append(f"M{coords}Z")
    return "".join(parts)


def _drawn_plan(rooms: list[PlanRoom]) -> tuple[list[PlanRoom], list[PlanRoom], float, float]:
    drawn, missing = [], []
    shapes = {}
    for room in rooms:
        rings = _rings(room.geometry)  # type: ignore[attr-defined]
        if rings is None:
            missing.append(room)
        else:
            shapes[room.pk] = rings
            drawn.append(room)
    xs = [x for rings in shapes.values() for x, _ in rings[0]]
    ys = [y for rings in shapes.values() for _, y in rings[0]]
    margin = 0.5
    min_x, max_x = min(xs) - margin, max(xs) + margin
    min_y, max_y = min(ys) - margin, max(ys) + margin
    for room in drawn:
        rings = shapes[room.pk]
        room.path = _path(rings, min_x, max_y)
        polygon = Polygon(rings[0], rings[1:])
        point = polygon.representative_point() if polygon.is_valid else polygon.centroid
        room.label_x = round(point.x - min_x, 2)
        room.label_y = round(max_y - point.y, 2)
        x0, y0, x1, y1 = polygon.bounds
        room.label_size = round(max(0.35, min(1.2, min(x1 - x0, y1 - y0) / 4)), 2)
    return drawn, missing, round(max_x - min_x, 2), round(max_y - min_y, 2)


def _schematic(rooms: list[PlanRoom]) -> tuple[float, float]:
    """Rooms as boxes in rows, each box's area equal to the room's registered area (m²)."""
    areas = [max(float(r.area or 0), 1.0) for r in rooms]
    total = sum(areas)
    row_height = max(3.0, math.sqrt(sorted(areas)[len(areas) // 2]))
    width = max(row_height * 3, math.sqrt(total * 3))
    x = y = 0.0
    gap = 0.3
    for room, area in zip(rooms, areas, strict=True):
        box = area / row_height
        if x > 0 and x + box > width:
            x, y = 0.0, y + row_height + gap
        x0, y0, x1, y1 = x, y, x + box, y + row_height
        room.path = f"M{x0:.2f},{y0:.2f} {x1:.2f},{y0:.2f} {x1:.2f},{y1:.2f} {x0:.2f},{y1:.2f}Z"
        room.label_x = round(x0 + box / 2, 2)
        room.label_y = round(y0 + row_height / 2, 2)
        room.label_size = round(max(0.35, min(1.2, min(box, row_height) / 4)), 2)
        x += box + gap
    return round(width, 2), round(y + row_height, 2)


def floor_plan(user, floor: Floor, *, mode: str | None = None) -> Plan:
    """The plan of one floor, with only the rooms the account may see."""
    rooms = _rooms(user, Room.objects.filter(floor=floor))
    mode = clean_mode(mode)
    reads_warnings = _attach_facts(user, rooms)
    for room in rooms:
        room._mode = mode
    legends = _legends(rooms, reads_warnings)
    if not rooms:
        return Plan([], 10.0, 5.0, True, mode, legends, reads_warnings=reads_warnings)
    if any(_rings(r.geometry) for r in rooms):  # type: ignore[attr-defined]
        drawn, missing, width, height = _drawn_plan(rooms)
        return Plan(drawn, width, height, False, mode, legends, missing, reads_warnings)
    width, height = _schematic(rooms)
    return Plan(rooms, width, height, True, mode, legends, reads_warnings=reads_warnings)


# Building: floors × rooms ------------------------------------------------------------------------
@dataclass
class StackFloor:
    pk: int
    label: str
    url: str
    y: float
    rooms: list[PlanRoom]
    area: Decimal

    @property
    def svg_rooms(self) -> SafeString:
        return rooms_svg(self.rooms, stroke="#ffffff", stroke_width=1, mode=None)


@dataclass
class Stack:
    floors: list[StackFloor]
    width: float
    height: float
    label_width: float
    row_height: float
    mode: str
    legends: dict[str, list[tuple[str, str]]]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"

    @property
    def modes(self) -> list[tuple[str, str]]:
        return list(MODES.items())


def building_stack(user, building, *, mode: str | None = None) -> Stack:
    """Floors top to bottom; each floor a row of its rooms, widths proportional to their areas
    (all floors on one scale, the largest floor filling the row)."""
    mode = clean_mode(mode)
    floors = list(Floor.objects.restrict(user).filter(building=building).order_by("-number"))
    rooms = _rooms(user, Room.objects.filter(floor__building=building))
    reads_warnings = _attach_facts(user, rooms)
    by_floor: dict[int, list[PlanRoom]] = defaultdict(list)
    for room in rooms:
        room._mode = mode
        by_floor[room.floor_id].append(room)  # type: ignore[attr-defined]
    label_width, row_height, row_width, gap = 70.0, 28.0, 900.0, 6.0
    totals = {f.pk: sum((r.area or Decimal(0) for r in by_floor[f.pk]), Decimal(0)) for f in floors}
    largest = float(max(totals.values(), default=Decimal(0))) or 1.0
    stack_floors = []
    for index, floor in enumerate(floors):
        y = index * (row_height + gap)
        x = label_width
        for room in by_floor[floor.pk]:
            w = max(float(room.area or 0) / largest * row_width, 0.5)
            room.path = f"M{x:.1f},{y:.1f} h{w:.1f} v{row_height:.1f} h{-w:.1f}Z"
            room.label_x = round(x + w / 2, 1)
            room.label_y = round(y + row_height / 2, 1)
            room.label_size = 9 if w >= 28 else 0  # no label where it cannot be read
            x += w
        stack_floors.append(
            StackFloor(
                floor.pk,
                floor.label,
                floor.get_absolute_url(),
                y,
                by_floor[floor.pk],
                totals[floor.pk],
            )
        )
    height = max(len(floors) * (row_height + gap) - gap, row_height)
    return Stack(
        stack_floors,
        label_width + row_width + 2,
        height,
        label_width,
        row_height,
        mode,
        _legends(rooms, reads_warnings),
    )
