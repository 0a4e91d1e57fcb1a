"""Generated office floors: plans, DXF drawings and IFC buildings whose rooms have given areas.

Used by the tests, the demo (every demo floor gets geometry) and the benchmarks. Everything is
deterministic: the same room list always gives the same plan.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from shapely.geometry import Polygon, box
from shapely.ops import unary_union

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


def _room_shape(area: float) -> tuple[float, bool]:
    """Width and whether the room is an L, for a room of ``area`` m²."""
    l_shape = area >= L_SHAPE_FROM
    usable = 1 - L_CUT * L_CUT if l_shape else 1.0
    width = min(max(area / DEPTH, MIN_WIDTH), MAX_WIDTH)
    if area / (width * usable) > MAX_DEPTH:
        width = area / (MAX_DEPTH * usable)
    return round(width, 3), l_shape


@dataclass(frozen=True)
class PlannedRoom:
    """A room of a generated floor: where it lies and its outline."""

    number: str
    name: str
    area: float
    side: int  # -1 south of the corridor, +1 north
    x0: float
    width: float
    l_shape: bool
    ring: list[list[float]]

    @property
    def base(self) -> float:
        """The y of the room's side along the corridor."""
        return 0.0 if self.side < 0 else CORRIDOR_WIDTH

    @property
    def label_point(self) -> tuple[float, float]:
        """A point well inside the room (left part of an L, middle of a rectangle)."""
        ys = [y for _, y in self.ring]
        far = min(ys) if self.side < 0 else max(ys)
        x = self.x0 + (self.width / 3 if self.l_shape else self.width / 2)
        return x, (self.base + far) / 2


def _room_ring(x0: float, width: float, area: float, side: int, l_shape: bool) -> list[list[float]]:
    """The ring of a room starting at ``x0`` along the corridor."""
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


def plan_floor(rooms: list[RoomSpec]) -> list[PlannedRoom]:
    """The rooms of ``office_floor_layout`` with their placement."""
    planned: list[PlannedRoom] = []
    cursor = {-1: 0.0, 1: 0.0}
    for number, name, area in rooms:
        value = float(area or 0)
        if value <= 0:
            continue
        side = -1 if len(planned) % 2 == 0 else 1
        width, l_shape = _room_shape(value)
        ring = _room_ring(cursor[side], width, value, side, l_shape)
        planned.append(
            PlannedRoom(str(number), name, value, side, cursor[side], width, l_shape, ring)
        )
        cursor[side] = round(cursor[side] + width, 3)
    return planned


def office_floor_layout(rooms: list[RoomSpec]) -> dict[str, dict]:
    """Plan of an office floor: a corridor along x with the rooms alternately south and north of it.

    Each room is a rectangle (an L from 60 m²) whose polygon area equals the given area within
    0.01 m²; widths are kept between 2.4 and 9 m by adjusting the depth. Rooms without a positive
    area get no geometry. The result maps each room number to the registry's geometry format
    (metres, y up, exterior counter-clockwise).
    """
    return {
        room.number: {"type": "Polygon", "coordinates": [room.ring]} for room in plan_floor(rooms)
    }


# -- DXF drawings ---------------------------------------------------------------------------

BULGE = 0.25  # every fourth rectangular room of the polyline and hatch styles has a curved far wall
WALL = 0.2  # wall thickness of the walls styles, metres
DOOR = 0.9
WINDOW = 1.5
HOLE = 0.5  # hatch style: a shaft cut out of every third room
STYLES = ("polyline", "hatch", "lines", "walls", "tarch")
TARCH_PREFIX = "11#平面图$0$"


def segment_area(chord: float, bulge: float) -> float:
    """Area between a chord and its arc of ``bulge``."""
    angle = 4 * math.atan(abs(bulge))
    radius = chord * (1 + bulge * bulge) / (4 * abs(bulge))
    return radius * radius / 2 * (angle - math.sin(angle))


def bulge_arc(p1, p2, bulge: float) -> tuple[tuple[float, float], float, float, float]:
    """Centre, radius and start/end angles (degrees, counter-clockwise) of a positive bulge."""
    (x1, y1), (x2, y2) = p1, p2
    offset = (1 - bulge * bulge) / (4 * bulge)
    cx, cy = (x1 + x2) / 2 - (y2 - y1) * offset, (y1 + y2) / 2 + (x2 - x1) * offset
    radius = math.hypot(x2 - x1, y2 - y1) * (1 + bulge * bulge) / (4 * bulge)
    start = math.degrees(math.atan2(y1 - cy, x1 - cx))
    return (cx, cy), radius, start, math.degrees(math.atan2(y2 - cy, x2 - cx))


def curved_room(room: PlannedRoom) -> list[tuple[float, float, float]]:
    """A rectangular room whose far wall bulges outward, same area: vertices (x, y, bulge), CCW."""
    depth = (room.area - segment_area(room.width, BULGE)) / room.width
    far = room.base + room.side * depth
    x0, x1 = room.x0, room.x0 + room.width
    if room.side < 0:  # counter-clockwise; the far wall is the second edge
        return [(x0, room.base, 0.0), (x0, far, BULGE), (x1, far, 0.0), (x1, room.base, 0.0)]
    return [(x0, room.base, 0.0), (x1, room.base, 0.0), (x1, far, BULGE), (x0, far, 0.0)]


def _is_curved(index: int, room: PlannedRoom) -> bool:
    return index % 4 == 1 and not room.l_shape


def _label_texts(room: PlannedRoom) -> list[str]:
    return [room.number, room.name, f"{room.area:.2f}㎡"]


def office_floor_dxf(rooms: list[RoomSpec], *, style: str = "polyline", units: str = "mm") -> bytes:
    """A DXF floor plan of ``office_floor_layout`` drawn in one of ``STYLES``.

    - polyline: closed LWPOLYLINEs (every fourth with a bulging far wall) on 房间轮廓, labels as
      TEXT and MTEXT on 房间名称;
    - hatch: HATCHes (polyline paths; curved rooms as line+arc edge paths; every third room with a
      shaft hole) on ROOM-HATCH;
    - lines: loose LINEs (and ARCs) on a layer whose name says nothing (分隔线);
    - walls: double wall lines on WALL with door and window blocks on DOOR/WINDOW, labels on TEXT;
    - tarch: the walls drawing as TArch exports it: prefixed layer names, $INSUNITS 0 (mm), room
      number and name inside block inserts on SPACE, areas written "34.88m" plus a small "2".
    Room areas (the polygon inside the walls, for the walls styles) equal the given areas.
    """
    import ezdxf

    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}")
    scale = 1000.0 if units == "mm" or style == "tarch" else 1.0
    doc = ezdxf.new("R2010", setup=False)
    doc.header["$INSUNITS"] = 0 if style == "tarch" else (4 if scale == 1000 else 6)
    msp = doc.modelspace()
    planned = plan_floor(rooms)

    def pt(x: float, y: float) -> tuple[float, float]:
        return (x * scale, y * scale)

    if style in ("walls", "tarch"):
        _draw_walls(doc, msp, planned, scale, style)
        return _dxf_bytes(doc)
    outline_layer = {"polyline": "房间轮廓", "hatch": "ROOM-HATCH", "lines": "分隔线"}[style]
    for index, room in enumerate(planned):
        curved = _is_curved(index, room)
        vertices = curved_room(room) if curved else [(x, y, 0.0) for x, y in room.ring[:-1]]
        scaled = [(*pt(x, y), b) for x, y, b in vertices]
        if style == "polyline":
            msp.add_lwpolyline(
                scaled, format="xyb", close=True, dxfattribs={"layer": outline_layer}
            )
        elif style == "hatch":
            _add_hatch(msp, room, scaled, curved, index, pt, outline_layer)
        else:
            _add_lines(msp, scaled, outline_layer)
        x, y = room.label_point
        if index % 2 == 0:
            for line, text in enumerate(_label_texts(room)):
                msp.add_text(
                    text, height=0.25 * scale, dxfattribs={"layer": "房间名称"}
                ).set_placement(pt(x - 0.5, y + 0.4 - line * 0.4))
        else:
            msp.add_mtext(
                "\\P".join(_label_texts(room)),
                dxfattribs={"layer": "房间名称", "char_height": 0.25 * scale},
            ).set_location(pt(x - 0.5, y + 0.4))
    return _dxf_bytes(doc)


def _add_hatch(msp, room, scaled, curved, index, pt, layer) -> None:
    from ezdxf.lldxf.const import BOUNDARY_PATH_EXTERNAL

    hatch = msp.add_hatch(color=3, dxfattribs={"layer": layer})
    hole = index % 3 == 0 and not curved
    if curved:
        edges = hatch.paths.add_edge_path(flags=BOUNDARY_PATH_EXTERNAL)
        for (x1, y1, bulge), (x2, y2, _) in zip(scaled, [*scaled[1:], scaled[0]], strict=True):
            if not bulge:
                edges.add_line((x1, y1), (x2, y2))
                continue
            center, radius, start, end = bulge_arc((x1, y1), (x2, y2), bulge)
            edges.add_arc(center, radius, start, end, ccw=True)
        return
    vertices = [(x, y, b) for x, y, b in scaled]
    if hole:  # the room grows by the shaft it surrounds, so its own area stays the given one
        grown = room.area + HOLE * HOLE
        ring = _room_ring(room.x0, room.width, grown, room.side, room.l_shape)
        vertices = [(*pt(x, y), 0.0) for x, y in ring[:-1]]
    hatch.paths.add_polyline_path(vertices, is_closed=True, flags=BOUNDARY_PATH_EXTERNAL)
    if hole:
        hx = room.x0 + room.width - 0.3 - HOLE
        hy = room.base + room.side * 0.3
        corners = [
            (hx, hy),
            (hx + HOLE, hy),
            (hx + HOLE, hy + room.side * HOLE),
            (hx, hy + room.side * HOLE),
        ]
        hatch.paths.add_polyline_path([pt(x, y) for x, y in corners], is_closed=True)


def _add_lines(msp, scaled, layer) -> None:
    for (x1, y1, bulge), (x2, y2, _) in zip(scaled, [*scaled[1:], scaled[0]], strict=True):
        if not bulge:
            msp.add_line((x1, y1), (x2, y2), dxfattribs={"layer": layer})
            continue
        center, radius, start, end = bulge_arc((x1, y1), (x2, y2), bulge)
        msp.add_arc(center, radius, start, end, dxfattribs={"layer": layer})


def walled_rooms(planned: list[PlannedRoom]) -> list[tuple[PlannedRoom, Polygon]]:
    """Rooms of the walls styles: each room moved along x to leave a wall between neighbours."""
    result = []
    seen = {-1: 0, 1: 0}
    for room in planned:
        seen[room.side] += 1
        shift = seen[room.side] * WALL
        result.append((room, Polygon([(x + shift, y) for x, y in room.ring])))
    return result


def _draw_walls(doc, msp, planned: list[PlannedRoom], scale: float, style: str) -> None:
    from shapely.affinity import scale as scale_geometry
    from shapely.geometry import LineString

    prefix = TARCH_PREFIX if style == "tarch" else ""
    wall_layer, door_layer = prefix + "WALL", prefix + ("WINDOW" if style == "tarch" else "DOOR")
    window_layer, text_layer = (
        prefix + "WINDOW",
        prefix + ("PUB_TEXT" if style == "tarch" else "TEXT"),
    )
    walled = walled_rooms(planned)
    if not walled:
        return
    xmax = max(p.bounds[2] for _, p in walled) + WALL
    corridor = box(0.0, WALL, xmax, CORRIDOR_WIDTH - WALL)
    spaces = unary_union([p for _, p in walled] + [corridor])
    outer = spaces.buffer(WALL, join_style="mitre")
    gaps, jambs, doors, windows = [], [], [], []
    for index, (room, polygon) in enumerate(walled):
        x0 = polygon.bounds[0]
        edge = room.base
        inner = WALL if room.side < 0 else CORRIDOR_WIDTH - WALL
        low, high = min(edge, inner), max(edge, inner)
        gaps.append(box(x0 + 0.3, low - 1e-6, x0 + 0.3 + DOOR, high + 1e-6))
        jambs += [[(x, low), (x, high)] for x in (x0 + 0.3, x0 + 0.3 + DOOR)]
        doors.append((x0 + 0.3, edge, room.side))
        if not room.l_shape and index % 2 == 0:
            minx, miny, maxx, maxy = polygon.bounds
            far = miny if room.side < 0 else maxy
            mid = (minx + maxx) / 2
            low, high = (far - WALL, far) if room.side < 0 else (far, far + WALL)
            gaps.append(box(mid - WINDOW / 2, low - 1e-6, mid + WINDOW / 2, high + 1e-6))
            jambs += [[(x, low), (x, high)] for x in (mid - WINDOW / 2, mid + WINDOW / 2)]
            windows.append((mid - WINDOW / 2, low))
    cut = unary_union(gaps)
    rings = [outer.exterior, *[interior for interior in outer.interiors]]
    rings += [p.exterior for _, p in walled] + [corridor.exterior]
    for ring in rings:
        remaining = LineString(ring.coords).difference(cut)
        for line in getattr(remaining, "geoms", [remaining]):
            coords = list(scale_geometry(line, scale, scale, origin=(0, 0)).coords)
            for a, b in pairwise(coords):
                msp.add_line(a, b, dxfattribs={"layer": wall_layer})
    for a, b in jambs:
        msp.add_line(
            (a[0] * scale, a[1] * scale),
            (b[0] * scale, b[1] * scale),
            dxfattribs={"layer": wall_layer},
        )
    door = doc.blocks.new("M0921")
    door.add_line((0, 0), (0, DOOR * scale))
    door.add_arc((0, 0), DOOR * scale, 0, 90)
    for x, y, side in doors:  # the leaf swings into the room
        msp.add_blockref(
            "M0921",
            (x * scale, y * scale),
            dxfattribs={"layer": door_layer, "yscale": float(-side)},
        )
    window = doc.blocks.new("C1512")
    for k in range(4):
        window.add_line((0, WALL * scale * k / 3), (WINDOW * scale, WALL * scale * k / 3))
    for x, y in windows:
        msp.add_blockref("C1512", (x * scale, y * scale), dxfattribs={"layer": window_layer})
    for index, (room, polygon) in enumerate(walled):
        x, y = room.label_point
        x += polygon.bounds[0] - room.x0
        height = 0.3 * scale
        if style == "tarch":
            block = doc.blocks.new(f"ROOMTAG{index}")
            block.add_text(room.number, height=height).set_placement((0, 0.4 * scale))
            block.add_text(room.name, height=height).set_placement((0, 0))
            msp.add_blockref(
                block.name,
                (x * scale - 0.5 * scale, y * scale),
                dxfattribs={"layer": prefix + "SPACE"},
            )
            area = msp.add_text(
                f"{room.area:.2f}m", height=height, dxfattribs={"layer": text_layer}
            )
            area.set_placement((x * scale - 0.5 * scale, y * scale - 0.5 * scale))
            small = msp.add_text("2", height=height / 2, dxfattribs={"layer": text_layer})
            small.set_placement((x * scale + 0.9 * scale, y * scale - 0.35 * scale))
        else:
            for line, text in enumerate(_label_texts(room)):
                msp.add_text(text, height=height, dxfattribs={"layer": text_layer}).set_placement(
                    ((x - 0.5) * scale, (y + 0.4 - line * 0.4) * scale)
                )


def _dxf_bytes(doc) -> bytes:
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("utf-8")


# -- IFC models -----------------------------------------------------------------------------

STOREY_HEIGHT = 3.6
AREA_SOURCES = ("qto", "pset", "none", "mixed")


def office_building_ifc(floors: list[list[RoomSpec]], *, area_source: str = "qto") -> bytes:
    """An IFC4 office building: one storey per floor ("1F", "2F", …), one IfcSpace per room
    (Name the number, LongName the name) extruded from its ``office_floor_layout`` outline.

    The stated area is NetFloorArea of Qto_SpaceBaseQuantities ("qto"), an ``Area`` in a Revit-like
    property set ("pset"), none ("none"), or the three in turn room by room ("mixed").
    """
    import uuid

    import ifcopenshell
    import ifcopenshell.guid

    if area_source not in AREA_SOURCES:
        raise ValueError(f"unknown area source {area_source!r}")
    model = ifcopenshell.file(schema="IFC4")
    namespace = uuid.UUID("6b1f3c52-53c3-4f0e-9d2a-1b7e3c0a5f10")

    def guid(key: str) -> str:
        return ifcopenshell.guid.compress(uuid.uuid5(namespace, key).hex)

    def placement(relative_to=None, z: float = 0.0):
        point = model.createIfcCartesianPoint((0.0, 0.0, z))
        return model.createIfcLocalPlacement(
            relative_to, model.createIfcAxis2Placement3D(point, None, None)
        )

    origin = model.createIfcAxis2Placement3D(
        model.createIfcCartesianPoint((0.0, 0.0, 0.0)), None, None
    )
    context = model.createIfcGeometricRepresentationContext(None, "Model", 3, 1.0e-5, origin, None)
    units = model.createIfcUnitAssignment(
        [
            model.createIfcSIUnit(None, "LENGTHUNIT", None, "METRE"),
            model.createIfcSIUnit(None, "AREAUNIT", None, "SQUARE_METRE"),
        ]
    )
    project = model.createIfcProject(
        guid("project"), None, "办公楼", None, None, None, None, [context], units
    )
    site_place = placement()
    site = model.createIfcSite(guid("site"), None, "场地", None, None, site_place)
    building_place = placement(site_place)
    building = model.createIfcBuilding(guid("building"), None, "办公楼", None, None, building_place)
    model.createIfcRelAggregates(guid("project-site"), None, None, None, project, [site])
    model.createIfcRelAggregates(guid("site-building"), None, None, None, site, [building])
    up = model.createIfcDirection((0.0, 0.0, 1.0))
    storeys = []
    counter = 0
    for level, rooms in enumerate(floors, start=1):
        elevation = (level - 1) * STOREY_HEIGHT
        storey_place = placement(building_place, elevation)
        storey = model.createIfcBuildingStorey(
            guid(f"storey-{level}"),
            None,
            f"{level}F",
            None,
            None,
            storey_place,
            None,
            None,
            "ELEMENT",
            elevation,
        )
        storeys.append(storey)
        spaces = []
        for room in plan_floor(rooms):
            points = [model.createIfcCartesianPoint((x, y)) for x, y in room.ring]
            profile = model.createIfcArbitraryClosedProfileDef(
                "AREA", None, model.createIfcPolyline(points)
            )
            solid = model.createIfcExtrudedAreaSolid(profile, None, up, STOREY_HEIGHT - 0.6)
            body = model.createIfcShapeRepresentation(context, "Body", "SweptSolid", [solid])
            key = f"{level}-{room.number}"
            space = model.createIfcSpace(
                guid(key),
                None,
                room.number,
                None,
                None,
                placement(storey_place),
                model.createIfcProductDefinitionShape(None, None, [body]),
                room.name,
                "ELEMENT",
                "INTERNAL",
                None,
            )
            spaces.append(space)
            source = AREA_SOURCES[counter % 3] if area_source == "mixed" else area_source
            counter += 1
            area = round(room.area, 2)
            if source == "qto":
                quantity = model.createIfcQuantityArea("NetFloorArea", None, None, area, None)
                definition = model.createIfcElementQuantity(
                    guid(key + "-qto"), None, "Qto_SpaceBaseQuantities", None, None, [quantity]
                )
            elif source == "pset":
                value = model.createIfcPropertySingleValue(
                    "Area", None, model.createIfcAreaMeasure(area), None
                )
                definition = model.createIfcPropertySet(
                    guid(key + "-pset"), None, "PSet_Revit_Dimensions", None, [value]
                )
            else:
                continue
            model.createIfcRelDefinesByProperties(
                guid(key + "-rel"), None, None, None, [space], definition
            )
        if spaces:
            model.createIfcRelAggregates(
                guid(f"storey-{level}-spaces"), None, None, None, storey, spaces
            )
    if storeys:
        model.createIfcRelAggregates(guid("building-storeys"), None, None, None, building, storeys)
    return model.to_string().encode("utf-8")
