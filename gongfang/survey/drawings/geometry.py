"""Plane geometry for drawings: arcs and bulges as fine point lists, loops from loose pieces, output.

Arcs are cut so that no chord lies further than ``FLATTEN`` metres from its arc: a room's area then
differs from the exact area with arcs by well under 0.01 m² (the error is about 2/3 × chord
sagitta × arc length).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

from shapely import polygonize_full, unary_union
from shapely.geometry import LineString, MultiLineString, Polygon, mapping
from shapely.geometry.polygon import orient

Point = tuple[float, float]
FLATTEN = 0.00005  # metres: the largest distance of a chord from its arc
MAX_ARC_POINTS = 1024
DIGITS = 4  # output coordinates in metres, to 0.1 mm


def arc_steps(radius: float, sweep: float, tolerance: float) -> int:
    """Chords needed for an arc of ``radius`` and ``sweep`` (radians) within ``tolerance``."""
    if radius <= tolerance:
        return max(1, min(MAX_ARC_POINTS, math.ceil(abs(sweep) / (math.pi / 2))))
    step = 2 * math.acos(1 - tolerance / radius)
    return max(1, min(MAX_ARC_POINTS, math.ceil(abs(sweep) / step)))


def arc_points(
    center: Point, radius: float, start: float, sweep: float, tolerance: float
) -> list[Point]:
    """Points of an arc from angle ``start`` over ``sweep`` (radians, positive counter-clockwise)."""
    steps = arc_steps(radius, sweep, tolerance)
    cx, cy = center
    return [
        (
            cx + radius * math.cos(start + sweep * i / steps),
            cy + radius * math.sin(start + sweep * i / steps),
        )
        for i in range(steps + 1)
    ]


def bulge_points(p1: Point, p2: Point, bulge: float, tolerance: float) -> list[Point]:
    """The points after ``p1`` up to ``p2`` of a polyline segment with ``bulge`` (tan of a quarter
    of the included angle; positive: the arc turns counter-clockwise)."""
    dx, dy = p2[0] - p1[0], p2[1] - p1[1]
    chord = math.hypot(dx, dy)
    if abs(bulge) < 1e-9 or chord == 0 or not math.isfinite(bulge):
        return [p2]
    bulge = max(-1e6, min(1e6, bulge))
    sweep = 4 * math.atan(bulge)
    offset = (1 - bulge * bulge) / (
        4 * bulge
    )  # centre from the chord's middle, in chords, to the left
    cx = (p1[0] + p2[0]) / 2 - dy * offset
    cy = (p1[1] + p2[1]) / 2 + dx * offset
    radius = math.hypot(p1[0] - cx, p1[1] - cy)
    start = math.atan2(p1[1] - cy, p1[0] - cx)
    points = arc_points((cx, cy), radius, start, sweep, tolerance)[1:]
    points[-1] = p2
    return points


def bulge_ring(
    vertices: Sequence[tuple[float, float, float]], closed: bool, tolerance: float
) -> list[Point]:
    """A polyline's vertices (x, y, bulge) as a point list; closed ones end at their first point."""
    if not vertices:
        return []
    points: list[Point] = [(vertices[0][0], vertices[0][1])]
    pairs = list(itertools.pairwise(vertices))
    if closed:
        pairs.append((vertices[-1], vertices[0]))
    for (x1, y1, bulge), (x2, y2, _) in pairs:
        points.extend(bulge_points((x1, y1), (x2, y2), bulge, tolerance))
    return points


class Snapper:
    """Moves points within ``tolerance`` of an earlier point onto it (a grid of cells of that size)."""

    def __init__(self, tolerance: float) -> None:
        self.tolerance = tolerance
        self.cells: dict[tuple[int, int], list[Point]] = {}

    def __call__(self, point: Point) -> Point:
        size = self.tolerance
        if size <= 0:
            return point
        ix, iy = math.floor(point[0] / size), math.floor(point[1] / size)
        for cx in (ix - 1, ix, ix + 1):
            for cy in (iy - 1, iy, iy + 1):
                for other in self.cells.get((cx, cy), ()):
                    if math.hypot(other[0] - point[0], other[1] - point[1]) <= size:
                        return other
        self.cells.setdefault((ix, iy), []).append(point)
        return point


def snap_pieces(pieces: Iterable[list[Point]], tolerance: float) -> list[list[Point]]:
    """The pieces with their end points snapped together (small gaps between pieces closed)."""
    snap = Snapper(tolerance)
    result = []
    for piece in pieces:
        if len(piece) < 2:
            continue
        piece = [snap(piece[0]), *piece[1:-1], snap(piece[-1])]
        if len(piece) > 2 or piece[0] != piece[-1]:
            result.append(piece)
    return result


def loops(pieces: list[list[Point]]) -> tuple[list[Polygon], list[LineString]]:
    """Faces enclosed by the pieces, and the dangling pieces that close nothing."""
    lines = [LineString(piece) for piece in pieces if len(piece) >= 2]
    lines = [line for line in lines if line.length > 0]
    if not lines:
        return [], []
    noded = unary_union(MultiLineString(lines))
    faces, cuts, dangles, invalid = polygonize_full([noded])
    polygons = [face for face in getattr(faces, "geoms", []) if face.area > 0]
    loose = [
        *getattr(dangles, "geoms", []),
        *getattr(cuts, "geoms", []),
        *getattr(invalid, "geoms", []),
    ]
    return polygons, loose


def nest_rings(rings: list[list[Point]]) -> list[Polygon]:
    """Polygons from rings of one boundary set: a ring inside an odd number of others is a hole."""
    polygons = [Polygon(ring) for ring in rings if len(ring) >= 4]
    polygons = [polygon if polygon.is_valid else polygon.buffer(0) for polygon in polygons]
    polygons = [p for p in polygons if not p.is_empty and p.area > 0]
    polygons.sort(key=lambda p: p.area, reverse=True)
    depth = [
        sum(1 for outer in polygons[:i] if outer.contains(inner))
        for i, inner in enumerate(polygons)
    ]
    result: list[Polygon] = []
    for i, shell in enumerate(polygons):
        if depth[i] % 2:
            continue
        holes = [
            polygons[j]
            for j in range(i + 1, len(polygons))
            if depth[j] == depth[i] + 1 and shell.contains(polygons[j])
        ]
        shape = shell
        for hole in holes:
            shape = shape.difference(hole)
        result.extend(getattr(shape, "geoms", [shape]))
    return [p for p in result if isinstance(p, Polygon) and p.area > 0]


def to_geometry(polygon: Polygon) -> dict:
    """The registry's geometry format (exterior counter-clockwise, holes clockwise, 0.1 mm)."""
    data = mapping(orient(polygon, 1.0))
    return {
        "type": "Polygon",
        "coordinates": [
            [[round(x, DIGITS), round(y, DIGITS)] for x, y, *_ in ring]
            for ring in data["coordinates"]
        ],
    }


def thickness(polygon: Polygon) -> float:
    """A face's typical width (2·area/perimeter): small for the strips between double wall lines."""
    return 2 * polygon.area / polygon.length if polygon.length else 0.0
