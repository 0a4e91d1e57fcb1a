"""DXF floor plans: rooms from outlines (closed polylines, hatches, loose lines) or from walls.

The work is bounded: at most ``max_entities`` entities (block contents counted), blocks nested at
most ``MAX_BLOCK_DEPTH`` deep, at most ``MAX_ARC_POINTS`` points per arc. Problems are collected on
the result, each naming the layer, the entity handle and the drawing coordinates.
"""

from __future__ import annotations

import io
import math
import re
import struct
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

import ezdxf
from ezdxf import path, recover
from ezdxf.entities import DXFGraphic
from ezdxf.entities.boundary_paths import ArcEdge, EdgePath, LineEdge, PolylinePath
from ezdxf.lldxf.const import DXFError
from ezdxf.math import OCS, Vec3
from shapely import STRtree
from shapely.errors import ShapelyError
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.prepared import prep
from shapely.validation import explain_validity

from gongfang.survey.drawings.geometry import (
    FLATTEN,
    arc_points,
    bulge_ring,
    loops,
    nest_rings,
    snap_pieces,
    thickness,
    to_geometry,
)
from gongfang.survey.drawings.labels import Label, RoomLabels, parse_label
from gongfang.survey.drawings.results import DrawingResult, DrawnRoom, LayerInfo

MAX_BLOCK_DEPTH = 8
BINARY_SENTINEL = b"AutoCAD Binary DXF"
SNAP = 0.002  # metres: end points this close are joined
MIN_ROOM_AREA = 0.5  # m²: smaller faces are drafting noise
MIN_ROOM_WIDTH = 0.6  # m: faces thinner than this (2·area/perimeter) are wall strips
MAX_OPENING = 3.0  # m: widest door or window gap bridged in a wall
NO_OPENING_GAP = 2.0  # m: gaps bridged when the drawing has no door/window layer at all
SECTORS = 64  # directions of wall ends, for finding the end a gap leads to
MAX_BRIDGE_CHECKS = 5_000_000  # pairs of wall ends compared at most
MIN_WALL_SEGMENT = 0.05  # m: shorter segments (arcs cut into chords) lead no gap
MAX_LISTED = 20  # problems of one kind listed one by one; the rest are counted
INSUNITS = {1: 0.0254, 2: 0.3048, 4: 0.001, 5: 0.01, 6: 1.0, 10: 0.9144, 14: 0.1}
UNIT_NAMES = {0.001: "毫米", 0.01: "厘米", 0.1: "分米", 1.0: "米", 0.0254: "英寸", 0.3048: "英尺"}

ROLE_PATTERNS = [
    (
        "ignore",
        re.compile(
            r"DIM|AXIS|DOTE|尺寸|轴|FURN|家具|PLANT|绿化|DEFPOINTS|图框|TK|TITLE", re.IGNORECASE
        ),
    ),
    ("opening", re.compile(r"WINDOW|DOOR|门|窗|OPENING|洞口", re.IGNORECASE)),
    ("wall", re.compile(r"WALL|墙|COLU|柱", re.IGNORECASE)),
    ("label", re.compile(r"TEXT|文字|注释|NAME|LABEL|ANNO|编号|TXT|名称", re.IGNORECASE)),
    ("outline", re.compile(r"SPACE|ROOM|AREA|房间|空间|面积|轮廓|OUTLINE|BOUND", re.IGNORECASE)),
]
TEXT_TYPES = {"TEXT", "MTEXT", "ATTRIB"}
SHAPE_TYPES = {"LWPOLYLINE", "POLYLINE", "LINE", "ARC", "CIRCLE", "HATCH", "ELLIPSE", "SPLINE"}


def layer_role(name: str) -> str | None:
    """The role a layer's name suggests; TArch prefixes such as ``11#平面图$0$`` are ignored."""
    base = name.rsplit("$", 1)[-1]
    for role, pattern in ROLE_PATTERNS:
        if pattern.search(base):
            return role
    return None


def mtext_plain(raw: str) -> str:
    """MTEXT content without formatting codes; stacked fractions keep their digits ("m\\S2^;" → "m2")."""
    text = raw.replace("\\\\", "\x00").replace("\\{", "\x01").replace("\\}", "\x02")
    text = re.sub(r"\\S([^;]*);", lambda m: re.sub(r"[\^/#]", "", m.group(1)), text)
    text = re.sub(r"\\[ACcFfHQTWp][^;\\]*;", "", text)
    text = re.sub(r"\\[PpN]", "\n", text).replace("\\~", " ")
    text = re.sub(r"\\[LlOoKk]", "", text).replace("{", "").replace("}", "")
    return text.replace("\x00", "\\").replace("\x01", "{").replace("\x02", "}")


@dataclass
class Item:
    """An entity of model space, or of a block inserted there (with the handle of that INSERT)."""

    entity: DXFGraphic
    layer: str
    handle: str


@dataclass
class Shape:
    """A candidate room outline in metres."""

    polygon: Polygon
    source: str
    layer: str
    handle: str
    labels: list[Label] = field(default_factory=list)


@dataclass
class Text:
    label: Label
    point: Point
    layer: str
    handle: str


class Reader:
    """One DXF read: collects entities, guesses units and layers, finds rooms, records problems."""

    def __init__(self, doc, result: DrawingResult, max_entities: int) -> None:
        self.doc = doc
        self.result = result
        self.max_entities = max_entities
        self.items: list[Item] = []
        self.unit = 1.0
        self.tolerance = FLATTEN
        self.too_deep: list[str] = []

    # -- where ------------------------------------------------------------------------------
    def where(self, layer: str, handle: str, point: tuple[float, float] | None = None) -> str:
        parts = []
        if layer:
            parts.append(f"图层「{layer}」")
        if handle:
            parts.append(f"实体 #{handle}")
        if point is not None:
            x, y = (round(v / self.unit, 2) for v in point)
            parts.append(f"图纸坐标 ({x:g}, {y:g})")
        return "，".join(parts) or "整个图纸"

    # -- collecting -------------------------------------------------------------------------
    def collect(self) -> bool:
        """All entities with block contents expanded; False when there are too many."""
        msp = self.doc.modelspace()
        for entity in msp:
            if not self._add(entity, entity.dxf.layer, entity.dxf.handle, 0):
                return False
        if self.too_deep:
            self.result.warning(
                "、".join(f"块参照 #{h}" for h in self.too_deep[:MAX_LISTED]),
                f"块嵌套超过 {MAX_BLOCK_DEPTH} 层，更深层的内容未读取",
            )
        return True

    def _add(self, entity, layer: str, handle: str, depth: int) -> bool:
        if len(self.items) >= self.max_entities:
            self.result.error(
                "整个图纸",
                f"图纸实体超过 {self.max_entities} 个（含块内实体），请只导出本层平面后再导入",
            )
            return False
        kind = entity.dxftype()
        if kind == "INSERT":
            if depth >= MAX_BLOCK_DEPTH:
                self.too_deep.append(handle)
                return True
            for attrib in getattr(entity, "attribs", []):
                self.items.append(Item(attrib, _layer(attrib, layer), handle))
            try:
                children = list(entity.virtual_entities())
            except (
                DXFError,
                ValueError,
                ZeroDivisionError,
                ArithmeticError,
                AttributeError,
                KeyError,
                TypeError,
            ):
                self.result.warning(self.where(layer, handle), "块参照无法展开，已跳过")
                return True
            for child in children:
                if not self._add(child, _layer(child, layer), handle, depth + 1):
                    return False
            return True
        if kind in TEXT_TYPES or kind in SHAPE_TYPES:
            self.items.append(Item(entity, layer, handle))
        return True

    # -- units ------------------------------------------------------------------------------
    def resolve_units(self, units: float | None) -> bool:
        result = self.result
        if units:
            result.units, result.units_source = float(units), "user"
        else:
            code = self.doc.header.get("$INSUNITS", 0)
            if code in INSUNITS:
                result.units, result.units_source = INSUNITS[code], "insunits"
            else:
                extent = self._extent()
                if extent is None:
                    result.error("整个图纸", "图纸中没有图形，无法确定单位")
                    return False
                guess = 0.001 if extent > 2000 else 1.0
                result.units, result.units_source = guess, "guess"
                result.warning(
                    "图纸设置 $INSUNITS",
                    f"图纸未设单位，按图形尺寸（约 {extent:.0f} 个单位宽）推测为{UNIT_NAMES[guess]}，请确认",
                )
        self.unit = result.units
        self.tolerance = FLATTEN / self.unit
        return True

    def _extent(self) -> float | None:
        xs, ys = [], []
        for item in self.items:
            if item.entity.dxftype() in TEXT_TYPES or layer_role(item.layer) == "ignore":
                continue
            for x, y in _anchor_points(item.entity):
                xs.append(x)
                ys.append(y)
        xs = [v for v in xs if math.isfinite(v)]
        ys = [v for v in ys if math.isfinite(v)]
        if not xs or not ys:
            return None
        return max(max(xs) - min(xs), max(ys) - min(ys))

    # -- geometry of one entity, in metres ------------------------------------------------
    def scaled(
        self, points, ocs: OCS | None = None, elevation: float = 0.0
    ) -> list[tuple[float, float]]:
        unit = self.unit
        if ocs is not None and ocs.transform:
            points = [ocs.to_wcs(Vec3(x, y, elevation)) for x, y in points]
            return [(p.x * unit, p.y * unit) for p in points]
        return [(x * unit, y * unit) for x, y in points]

    def shapes(self, item: Item) -> tuple[list[list], list[Polygon], list[list]]:
        """(closed rings, hatch polygons, open pieces) of an entity, in metres."""
        entity, kind, tol = item.entity, item.entity.dxftype(), self.tolerance
        rings: list[list] = []
        pieces: list[list] = []
        if kind == "LWPOLYLINE":
            vertices = [(x, y, b) for x, y, b in entity.get_points("xyb")]
            points = bulge_ring(vertices, entity.closed, tol)
            points = self.scaled(points, entity.ocs(), entity.dxf.elevation)
            (rings if entity.closed else pieces).append(points)
        elif kind == "POLYLINE":
            if not (entity.is_2d_polyline or entity.is_3d_polyline):
                return [], [], []
            vertices = [
                (v.dxf.location.x, v.dxf.location.y, v.dxf.get("bulge", 0.0))
                for v in entity.vertices
            ]
            if entity.is_3d_polyline:
                vertices = [(x, y, 0.0) for x, y, _ in vertices]
            points = bulge_ring(vertices, entity.is_closed, tol)
            ocs = entity.ocs() if entity.is_2d_polyline else None
            points = self.scaled(points, ocs, entity.dxf.elevation.z if ocs else 0.0)
            (rings if entity.is_closed else pieces).append(points)
        elif kind == "LINE":
            start, end = entity.dxf.start, entity.dxf.end
            pieces.append(self.scaled([(start.x, start.y), (end.x, end.y)]))
        elif kind in ("ARC", "CIRCLE"):
            center, radius = entity.dxf.center, entity.dxf.radius
            if kind == "ARC":
                start = math.radians(entity.dxf.start_angle)
                sweep = math.radians((entity.dxf.end_angle - entity.dxf.start_angle) % 360 or 360)
            else:
                start, sweep = 0.0, 2 * math.pi
            points = arc_points((center.x, center.y), radius, start, sweep, tol)
            points = self.scaled(points, entity.ocs(), center.z)
            (rings if kind == "CIRCLE" else pieces).append(points)
        elif kind in ("ELLIPSE", "SPLINE"):
            points = [(v.x, v.y) for v in path.make_path(entity).flattening(tol, segments=4)][
                :MAX_POINTS
            ]
            points = self.scaled(points)
            closed = len(points) > 3 and math.dist(points[0], points[-1]) <= SNAP
            (rings if closed else pieces).append(points)
        elif kind == "HATCH":
            return [], self.hatch_polygons(entity), []
        return rings, [], pieces

    def edge_points(self, edge) -> list[tuple[float, float]]:
        if isinstance(edge, LineEdge):
            return [(edge.start[0], edge.start[1]), (edge.end[0], edge.end[1])]
        start = math.radians(edge.start_angle)
        sweep = math.radians((edge.end_angle - edge.start_angle) % 360 or 360)
        return arc_points(
            (edge.center[0], edge.center[1]), edge.radius, start, sweep, self.tolerance
        )

    def hatch_polygons(self, hatch) -> list[Polygon]:
        ocs, elevation = hatch.ocs(), hatch.dxf.elevation.z
        rings = []
        for boundary in hatch.paths:
            if isinstance(boundary, PolylinePath):
                vertices = [(x, y, b) for x, y, b in boundary.vertices]
                rings.append(
                    self.scaled(bulge_ring(vertices, True, self.tolerance), ocs, elevation)
                )
            elif isinstance(boundary, EdgePath):
                if all(isinstance(edge, (LineEdge, ArcEdge)) for edge in boundary.edges):
                    pieces = [
                        self.scaled(self.edge_points(edge), ocs, elevation)
                        for edge in boundary.edges
                    ]
                else:  # ellipse and spline edges: ezdxf's curves (in WCS), flattened as finely
                    curve = path.from_hatch_edge_path(boundary, ocs, elevation)
                    pieces = [
                        self.scaled(
                            [(v.x, v.y) for v in curve.flattening(self.tolerance, segments=4)][
                                :MAX_POINTS
                            ]
                        )
                    ]
                faces, _ = loops(snap_pieces(pieces, SNAP))
                rings.extend(list(face.exterior.coords) for face in faces)
        return nest_rings(rings)

    # -- labels -----------------------------------------------------------------------------
    def texts(self, layers: set[str]) -> list[Text]:
        texts = []
        for item in self.items:
            entity = item.entity
            kind = entity.dxftype()
            if kind not in TEXT_TYPES or item.layer not in layers:
                continue
            try:
                raw = mtext_plain(entity.text) if kind == "MTEXT" else entity.plain_text()
                point = _text_point(entity)
            except (DXFError, ValueError, AttributeError, TypeError):
                continue
            label = parse_label(raw)
            if label.number or label.name or label.area is not None or label.superscript:
                x, y = point
                if math.isfinite(x) and math.isfinite(y):
                    texts.append(
                        Text(label, Point(x * self.unit, y * self.unit), item.layer, item.handle)
                    )
        return texts


MAX_POINTS = 100_000


def _layer(entity, parent: str) -> str:
    layer = entity.dxf.get("layer", "0")
    return parent if layer == "0" else layer


def _text_point(entity) -> tuple[float, float]:
    if entity.dxftype() == "MTEXT":
        point = entity.dxf.insert
        return point.x, point.y
    point = entity.dxf.insert
    if (entity.dxf.get("halign", 0) or entity.dxf.get("valign", 0)) and entity.dxf.hasattr(
        "align_point"
    ):
        point = entity.dxf.align_point
    ocs = entity.ocs()
    if ocs.transform:
        point = ocs.to_wcs(point)
    return point.x, point.y


def _anchor_points(entity) -> list[tuple[float, float]]:
    """A few points of an entity, enough for the drawing's extent."""
    kind = entity.dxftype()
    try:
        if kind == "LINE":
            return [(entity.dxf.start.x, entity.dxf.start.y), (entity.dxf.end.x, entity.dxf.end.y)]
        if kind == "LWPOLYLINE":
            return [(x, y) for x, y in entity.get_points("xy")]
        if kind == "POLYLINE":
            return [(v.dxf.location.x, v.dxf.location.y) for v in entity.vertices]
        if kind in ("ARC", "CIRCLE"):
            c, r = entity.dxf.center, entity.dxf.radius
            return [(c.x - r, c.y - r), (c.x + r, c.y + r)]
        if kind == "HATCH":
            points = []
            for boundary in entity.paths:
                for vertex in getattr(boundary, "vertices", [])[:1000]:
                    points.append((vertex[0], vertex[1]))
                for edge in getattr(boundary, "edges", [])[:1000]:
                    start = getattr(edge, "start", None) or getattr(edge, "center", None)
                    if start is not None:
                        points.append((start[0], start[1]))
            return points
    except (DXFError, ValueError, AttributeError, TypeError, IndexError):
        return []
    return []


def _load(data: bytes):
    """The document and its audit; binary DXF is read by ezdxf's file loader (recover reads text)."""
    if not data.startswith(BINARY_SENTINEL):
        return recover.read(io.BytesIO(data))
    with tempfile.NamedTemporaryFile(suffix=".dxf") as file:
        file.write(data)
        file.flush()
        doc = ezdxf.readfile(file.name)
    return doc, doc.audit()


def read_dxf(
    data: bytes,
    result: DrawingResult,
    *,
    units: float | None,
    outline_layers: list[str] | None,
    label_layers: list[str] | None,
    max_entities: int,
) -> None:
    """Fill ``result`` from DXF bytes (text or binary)."""
    try:
        doc, auditor = _load(data)
    except (
        DXFError,
        ValueError,
        UnicodeError,
        EOFError,
        IndexError,
        KeyError,
        TypeError,
        AttributeError,
        OSError,
        struct.error,
    ) as exc:
        result.error("整个文件", f"DXF 文件已损坏或不完整，无法读取（{type(exc).__name__}）")
        return
    if not data.rstrip().endswith(b"EOF") and not data.startswith(BINARY_SENTINEL):
        result.warning(
            "文件末尾", "文件不完整（缺少结尾的 EOF），可能在传输中被截断，读出的内容可能缺失"
        )
    if auditor.has_errors:
        result.warning("整个文件", f"文件有 {len(auditor.errors)} 处结构错误，已尽量修复后读取")
    reader = Reader(doc, result, max_entities)
    if not reader.collect():
        return
    if not reader.resolve_units(units):
        return
    find_rooms(reader, outline_layers, label_layers)


def layer_infos(reader: Reader) -> dict[str, Counter]:
    counts: dict[str, Counter] = {}
    for layer in reader.doc.layers:
        counts.setdefault(layer.dxf.name, Counter())
    for item in reader.items:
        counts.setdefault(item.layer, Counter())[item.entity.dxftype()] += 1
    return counts


def find_rooms(
    reader: Reader, outline_layers: list[str] | None, label_layers: list[str] | None
) -> None:
    """Choose the layers (or take the user's), find the outlines, attach the labels, check."""
    result = reader.result
    counts = layer_infos(reader)
    roles = {name: layer_role(name) for name in counts}
    has_text = {name for name, c in counts.items() if any(c[t] for t in TEXT_TYPES)}
    has_shape = {name for name, c in counts.items() if any(c[t] for t in SHAPE_TYPES)}
    if label_layers is None:
        label_layers = sorted(n for n in has_text if roles[n] not in ("ignore", "opening", "wall"))
    texts = reader.texts(set(label_layers))
    labelled = [t for t in texts if t.label.number or t.label.area is not None]

    shapes_by_layer: dict[str, list[Shape]] = {}
    loose_by_layer: dict[str, list[LineString]] = {}
    handles: dict[str, list[Item]] = {}
    for item in reader.items:
        if item.entity.dxftype() in SHAPE_TYPES:
            handles.setdefault(item.layer, []).append(item)

    def layer_shapes(layer: str) -> list[Shape]:
        if layer not in shapes_by_layer:
            shapes_by_layer[layer], loose_by_layer[layer] = outline_shapes(
                reader, layer, handles.get(layer, [])
            )
        return shapes_by_layer[layer]

    walls_mode = False
    if outline_layers is None:
        outline_layers = [n for n in sorted(has_shape) if roles[n] == "outline" and layer_shapes(n)]
        if not outline_layers:
            points = STRtree([t.point for t in labelled])
            scores = {
                name: sum(
                    1
                    for shape in layer_shapes(name)
                    if len(points.query(shape.polygon, predicate="contains"))
                )
                for name in sorted(has_shape)
                if roles[name] in (None, "label")
            }
            best = max(scores.values(), default=0)
            outline_layers = [n for n, s in scores.items() if best and s * 2 >= best]
        if not outline_layers:
            outline_layers = [n for n in sorted(has_shape) if roles[n] == "wall"]
            walls_mode = bool(outline_layers)
    else:
        walls_mode = bool(outline_layers) and all(roles.get(n) == "wall" for n in outline_layers)
        for name in outline_layers:
            if name not in counts:
                result.error(f"图层「{name}」", "图纸中没有这个图层")

    result.outline_layers = list(outline_layers)
    result.label_layers = list(label_layers)
    chosen = set(outline_layers) | set(label_layers)
    result.layers = [
        LayerInfo(
            name,
            dict(sorted(c.items())),
            roles[name]
            or ("outline" if name in outline_layers else "label" if name in has_text else None),
        )
        for name, c in sorted(counts.items(), key=lambda kv: (kv[0] not in chosen, kv[0]))
        if c or name in chosen
    ]
    if not outline_layers:
        result.error(
            "整个图纸",
            "没有找到房间轮廓：图纸中没有闭合的房间轮廓线、填充或墙线图层，请选择轮廓所在图层",
        )
        return
    if walls_mode:
        openings = [n for n in sorted(has_shape) if roles[n] == "opening"]
        shapes = wall_spaces(reader, outline_layers, openings, handles)
        source = "walls"
    else:
        shapes = []
        for name in outline_layers:
            shapes.extend(layer_shapes(name))
            report_loose(reader, name, loose_by_layer.get(name, []))
        source = None
    if not shapes:
        result.error(
            "、".join(f"图层「{n}」" for n in outline_layers),
            "所选图层上没有闭合的房间轮廓（轮廓线未闭合或图层为空）",
        )
        return
    shapes = unique(shapes)
    shapes = attach_labels(shapes, texts)
    if walls_mode:
        unlabelled = [s for s in shapes if not s.labels]
        shapes = [s for s in shapes if s.labels]
        if unlabelled:
            result.warning(
                "、".join(f"图层「{n}」" for n in outline_layers),
                f"墙线围出的 {len(unlabelled)} 个空间内没有房间标注（如走廊、楼梯间），未作为房间导入",
            )
    check_overlaps(reader, shapes)
    make_rooms(reader, shapes, source)


def item_shapes(reader: Reader, item: Item) -> tuple[list[list], list[Polygon], list[list]]:
    """``Reader.shapes`` with an unreadable entity named as a warning instead of raised."""
    try:
        return reader.shapes(item)
    except (
        DXFError,
        ValueError,
        ArithmeticError,
        AttributeError,
        TypeError,
        IndexError,
        ShapelyError,
    ):
        reader.result.warning(reader.where(item.layer, item.handle), "图元无法读取，已跳过")
        return [], [], []


def outline_shapes(
    reader: Reader, layer: str, items: list[Item]
) -> tuple[list[Shape], list[LineString]]:
    """Closed outlines of one layer: polylines, hatches and loops of its loose pieces."""
    shapes: list[Shape] = []
    pieces: list[list] = []
    for item in items:
        rings, polygons, loose = item_shapes(reader, item)
        handle = item.handle
        source = "hatch" if item.entity.dxftype() == "HATCH" else "polyline"
        for ring in rings:
            shape = closed_shape(reader, ring, layer, handle)
            if shape is not None:
                shapes.append(Shape(shape, source, layer, handle))
        shapes.extend(Shape(p, "hatch", layer, handle) for p in polygons)
        for piece in loose:
            if len(piece) > 3 and math.dist(piece[0], piece[-1]) <= SNAP:
                shape = closed_shape(reader, piece, layer, handle)
                if shape is not None:
                    shapes.append(Shape(shape, source, layer, handle))
            else:
                pieces.append(piece)
    faces, dangles = loops(snap_pieces(pieces, SNAP))
    shapes.extend(Shape(face, "lines", layer, "") for face in faces if face.area >= MIN_ROOM_AREA)
    return shapes, dangles


def closed_shape(reader: Reader, ring: list, layer: str, handle: str) -> Polygon | None:
    if len(ring) < 3:
        return None
    polygon = Polygon(ring)
    if polygon.is_valid:
        return polygon if polygon.area >= MIN_ROOM_AREA else None
    reason = explain_validity(polygon)
    match = re.search(r"\[([-\d.e+]+) ([-\d.e+]+)\]", reason)
    point = (float(match.group(1)), float(match.group(2))) if match else ring[0]
    if polygon.area == 0 and polygon.length == 0:
        return None
    reader.result.error(
        reader.where(layer, handle, point), "轮廓线自相交（交叉成“8”字形），无法计算面积，请修正"
    )
    return None


def report_loose(reader: Reader, layer: str, dangles: list[LineString]) -> None:
    """Open loops on an outline layer: each named by its end point."""
    dangles = [d for d in dangles if d.length > SNAP]
    for line in dangles[:MAX_LISTED]:
        reader.result.error(
            reader.where(layer, "", line.coords[-1]),
            f"轮廓线未闭合（长 {line.length:.2f} 米的线段两端未相接）",
        )
    if len(dangles) > MAX_LISTED:
        reader.result.error(f"图层「{layer}」", f"另有 {len(dangles) - MAX_LISTED} 处轮廓线未闭合")


def unique(shapes: list[Shape]) -> list[Shape]:
    """One shape per room when an outline is drawn twice (a polyline and its hatch)."""
    if not shapes:
        return shapes
    tree = STRtree([s.polygon for s in shapes])
    dropped: set[int] = set()
    for i, shape in enumerate(shapes):
        if i in dropped:
            continue
        for j in tree.query(shape.polygon, predicate="intersects"):
            if j > i and _same(shape.polygon, shapes[int(j)].polygon):
                dropped.add(int(j))
    return [s for k, s in enumerate(shapes) if k not in dropped]


def _same(a: Polygon, b: Polygon) -> bool:
    return a.symmetric_difference(b).area <= 0.005 * max(a.area, b.area)


def attach_labels(shapes: list[Shape], texts: list[Text]) -> list[Shape]:
    """Texts inside each outline; an unlabelled outline inside another becomes its hole."""
    if not shapes:
        return shapes
    tree = STRtree([s.polygon for s in shapes])
    inner: dict[int, list[int]] = {}
    for i, shape in enumerate(shapes):
        for j in tree.query(shape.polygon, predicate="contains_properly"):
            if j != i and shapes[j].polygon.area < shape.polygon.area:
                inner.setdefault(i, []).append(int(j))
    for i, children in inner.items():
        polygon = shapes[i].polygon
        for j in children:
            polygon = polygon.difference(shapes[j].polygon)
        if isinstance(polygon, Polygon):
            shapes[i].polygon = polygon
    if texts:
        points = STRtree([t.point for t in texts])
        for shape in shapes:
            prepared = prep(shape.polygon)
            hits = sorted(int(k) for k in points.query(shape.polygon))
            shape.labels = [texts[k].label for k in hits if prepared.contains(texts[k].point)]
    holes = {j for children in inner.values() for j in children if not shapes[j].labels}
    return [s for k, s in enumerate(shapes) if k not in holes]


def check_overlaps(reader: Reader, shapes: list[Shape]) -> None:
    tree = STRtree([s.polygon for s in shapes])
    found = 0
    for i, shape in enumerate(shapes):
        for j in tree.query(shape.polygon, predicate="intersects"):
            if j <= i:
                continue
            other = shapes[int(j)]
            overlap = shape.polygon.intersection(other.polygon)
            if overlap.area > 0.01:
                found += 1
                if found <= MAX_LISTED:
                    names = "、".join(_name(s) for s in (shape, other))
                    point = overlap.representative_point()
                    reader.result.error(
                        reader.where(shape.layer, shape.handle, (point.x, point.y)),
                        f"房间轮廓重叠：{names} 重叠 {overlap.area:.2f} 平方米",
                    )
    if found > MAX_LISTED:
        reader.result.error("整个图纸", f"另有 {found - MAX_LISTED} 处房间轮廓重叠")


def _name(shape: Shape) -> str:
    labels = RoomLabels.combine(shape.labels)
    if labels.number:
        return f"房间 {labels.number}"
    return f"实体 #{shape.handle}" if shape.handle else "无编号房间"


def make_rooms(reader: Reader, shapes: list[Shape], source: str | None) -> None:
    result = reader.result
    seen: Counter = Counter()
    nameless = []
    for shape in shapes:
        labels = RoomLabels.combine(shape.labels)
        polygon = shape.polygon
        geometry = to_geometry(polygon)
        area = round(Polygon(geometry["coordinates"][0], geometry["coordinates"][1:]).area, 4)
        point = polygon.representative_point()
        if len(labels.numbers) > 1:
            result.warning(
                reader.where(shape.layer, shape.handle, (point.x, point.y)),
                f"一个房间内有多个编号（{'、'.join(labels.numbers)}），取 {labels.number}",
            )
        if not labels.number:
            nameless.append((shape, point))
        else:
            seen[labels.number] += 1
        result.rooms.append(
            DrawnRoom(
                labels.number, labels.name, area, geometry, labels.area, "", source or shape.source
            )
        )
    for number, count in sorted(seen.items()):
        if count > 1:
            result.error("整个图纸", f"房间编号 {number} 出现 {count} 次")
    if nameless:
        listed = "；".join(reader.where(s.layer, s.handle, (p.x, p.y)) for s, p in nameless[:5])
        result.warning(listed, f"{len(nameless)} 个房间轮廓内没有房间编号")


def wall_spaces(
    reader: Reader, wall_layers: list[str], opening_layers: list[str], handles
) -> list[Shape]:
    """Spaces enclosed by double-line walls once door and window gaps are bridged."""
    result = reader.result
    pieces: list[list] = []
    for layer in wall_layers:
        for item in handles.get(layer, []):
            rings, polygons, loose = item_shapes(reader, item)
            pieces.extend(loose)
            pieces.extend(rings)
            pieces.extend(list(p.exterior.coords) for p in polygons)
    by_opening: dict[str, list] = {}  # one door or window: the pieces of one INSERT (or entity)
    for layer in opening_layers:
        for item in handles.get(layer, []):
            rings, polygons, loose = item_shapes(reader, item)
            geoms = by_opening.setdefault(item.handle, [])
            geoms.extend(LineString(p) for p in [*rings, *loose] if len(p) >= 2)
            geoms.extend(p.exterior for p in polygons)
    openings = [
        MultiLineString(
            [g for g in geoms if isinstance(g, LineString) and not g.is_empty]
        ).envelope.buffer(0.05)
        for geoms in by_opening.values()
        if geoms
    ]
    pieces = snap_pieces(pieces, SNAP)
    if not openings:
        result.warning(
            "、".join(f"图层「{n}」" for n in wall_layers),
            f"没有找到门窗图层，按墙线上不超过 {NO_OPENING_GAP:g} 米的断口补齐，请核对",
        )
    bridges, exhausted = bridge_gaps(pieces, openings)
    if exhausted:
        result.warning(
            "、".join(f"图层「{n}」" for n in wall_layers),
            "墙线过多，只补齐了部分门窗断口，部分房间可能与走廊连成一片，请只导出本层平面",
        )
    faces, _ = loops(pieces + bridges)
    layer = wall_layers[0]
    return [
        Shape(face, "walls", layer, "")
        for face in faces
        if face.area >= MIN_ROOM_AREA and thickness(face) >= MIN_ROOM_WIDTH
    ]


def _sector(ux: float, uy: float) -> int:
    return round(math.atan2(uy, ux) / (2 * math.pi) * SECTORS) % SECTORS


def bridge_gaps(pieces: list[list], openings: list[Polygon]) -> tuple[list[list], bool]:
    """Segments closing the gaps in wall lines: from the end of a wall line straight on to the
    nearest collinear wall line pointing back, across a door or window (or, in a drawing without
    openings, any short gap). Wall lines usually end at a jamb line, so any end point counts.
    Returns the bridges and whether the work budget ran out before every end was tried."""
    ends = []  # (point, direction pointing out of the segment there)
    for piece in pieces:
        for before, end in pairwise(piece):
            dx, dy = end[0] - before[0], end[1] - before[1]
            length = math.hypot(dx, dy)
            if length >= MIN_WALL_SEGMENT:
                ends.append((end, (dx / length, dy / length)))
                ends.append((before, (-dx / length, -dy / length)))
    limit = MAX_OPENING if openings else NO_OPENING_GAP
    cells: dict[tuple[int, int, int], list[int]] = {}  # (cell x, cell y, direction sector)
    for k, (point, (ux, uy)) in enumerate(ends):
        key = (math.floor(point[0] / limit), math.floor(point[1] / limit), _sector(ux, uy))
        cells.setdefault(key, []).append(k)
    opening_tree = STRtree(openings) if openings else None
    bridges, used, budget = [], set(), MAX_BRIDGE_CHECKS
    for k, (point, (ux, uy)) in enumerate(ends):
        if k in used:
            continue
        best, best_distance = None, limit
        cx, cy = math.floor(point[0] / limit), math.floor(point[1] / limit)
        opposite = _sector(-ux, -uy)
        candidates = [
            m
            for gx in (cx - 1, cx, cx + 1)
            for gy in (cy - 1, cy, cy + 1)
            for sector in (opposite - 1, opposite, opposite + 1)
            for m in cells.get((gx, gy, sector % SECTORS), ())
        ]
        budget -= len(candidates)
        if budget < 0:
            return bridges, True
        for m in candidates:
            if m == k or m in used:
                continue
            other, (vx, vy) = ends[m]
            along = (other[0] - point[0]) * ux + (other[1] - point[1]) * uy
            across = abs((other[0] - point[0]) * uy - (other[1] - point[1]) * ux)
            if 0 < along < best_distance and across <= SNAP and ux * vx + uy * vy < -0.999:
                best, best_distance = m, along
        if best is None:
            continue
        segment = LineString([point, ends[best][0]])
        if opening_tree is not None and not len(
            opening_tree.query(segment.centroid, predicate="intersects")
        ):
            continue
        used.update((k, best))
        bridges.append([point, ends[best][0]])
    return bridges, False
