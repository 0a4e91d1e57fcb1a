"""IFC models: IfcSpace per IfcBuildingStorey with number, name, footprint and stated area.

The area stated in the model is NetFloorArea of Qto_SpaceBaseQuantities, else an ``Area`` in any
property set (a Revit export's, often measured to wall centre lines). The footprint is the
profile of the space's extruded solid (placed in world coordinates), else the outline of its
triangulated shape seen from above.
"""

from __future__ import annotations

import math

import numpy as np
from shapely.geometry import Polygon
from shapely.ops import unary_union

from gongfang.survey.drawings.geometry import to_geometry
from gongfang.survey.drawings.labels import normalise
from gongfang.survey.drawings.results import DrawingResult, DrawnRoom

AREA_NAMES = ("Area", "NetArea", "NetFloorArea", "GrossFloorArea", "面积")
MAX_LISTED = 20


def read_ifc(data: bytes, result: DrawingResult, *, storey: str | None, max_entities: int) -> None:
    """Fill ``result`` from the bytes of an IFC (STEP) file."""
    import ifcopenshell
    import ifcopenshell.util.unit

    result.units_source = "ifc"
    text = data.decode("utf-8", errors="replace")
    if "END-ISO-10303-21" not in text[-2048:]:
        result.warning(
            "文件末尾",
            "文件不完整（缺少 END-ISO-10303-21），可能在传输中被截断，读出的内容可能缺失",
        )
    try:
        model = ifcopenshell.file.from_string(text)
        model.by_type("IfcRoot")  # a file whose header names no known schema fails here
    except (RuntimeError, ValueError, TypeError, OSError) as exc:
        result.error("整个文件", f"IFC 文件已损坏或不完整，无法读取（{type(exc).__name__}）")
        return
    try:
        result.units = float(ifcopenshell.util.unit.calculate_unit_scale(model))
        area_scale = float(ifcopenshell.util.unit.calculate_unit_scale(model, "AREAUNIT"))
    except (RuntimeError, ValueError, TypeError, AttributeError, IndexError, KeyError):
        result.units, area_scale = 1.0, 1.0
        result.warning("模型的项目（IfcProject）", "模型未声明长度单位，按米读取，请确认")
    storeys = sorted(model.by_type("IfcBuildingStorey"), key=_elevation)
    result.storeys = [_text(s.Name) or f"#{s.id()}" for s in storeys]
    spaces = model.by_type("IfcSpace")
    if len(spaces) > max_entities:
        result.error("整个文件", f"模型中的空间超过 {max_entities} 个，请只导出需要的楼层")
        return
    if storey is not None and storey not in result.storeys:
        result.error(
            "整个文件",
            f"模型中没有名为「{storey}」的楼层（有：{'、'.join(result.storeys) or '无'}）",
        )
        return
    if not spaces:
        result.error("整个文件", "模型中没有房间（IfcSpace），请在导出时包含空间")
        return
    reader = SpaceReader(model, result.units, area_scale)
    skipped = []
    for space in spaces:
        level = reader.storey_of(space)
        if storey is not None and level != storey:
            continue
        room = reader.room(space, level, result)
        if room is None:
            skipped.append(space)
        else:
            result.rooms.append(room)
    for space in skipped[:MAX_LISTED]:
        result.warning(_where(space), "空间既没有几何形状也没有面积，未导入")
    if len(skipped) > MAX_LISTED:
        result.warning(
            "整个文件", f"另有 {len(skipped) - MAX_LISTED} 个空间既没有几何形状也没有面积"
        )


def _text(value) -> str:
    return normalise(str(value)) if value else ""


def _where(space) -> str:
    return f"空间 #{space.id()}「{_text(space.Name)}」"


def _elevation(storey) -> float:
    value = getattr(storey, "Elevation", None)
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else 0.0


class SpaceReader:
    def __init__(self, model, unit: float, area_scale: float) -> None:
        self.model = model
        self.unit = unit
        self.area_scale = area_scale
        self.placements: dict[int, np.ndarray] = {}
        self.definitions: dict[int, list] | None = None

    def placement(self, placement, depth: int = 0) -> np.ndarray:
        """World matrix of an IfcLocalPlacement; shared parents (storeys) are computed once."""
        key = placement.id()
        if key not in self.placements:
            matrix = _axis2placement(getattr(placement, "RelativePlacement", None))
            parent = getattr(placement, "PlacementRelTo", None)
            if parent is not None and depth < 32 and parent.is_a("IfcLocalPlacement"):
                matrix = self.placement(parent, depth + 1) @ matrix
            self.placements[key] = matrix
        return self.placements[key]

    def storey_of(self, space) -> str:
        """Name of the storey the space belongs to (by aggregation or containment)."""
        seen = 0
        element = space
        while element is not None and seen < 16:
            seen += 1
            parent = None
            for rel in getattr(element, "Decomposes", None) or ():
                parent = rel.RelatingObject
            if parent is None:
                for rel in getattr(element, "ContainedInStructure", None) or ():
                    parent = rel.RelatingStructure
            if parent is not None and parent.is_a("IfcBuildingStorey"):
                return _text(parent.Name) or f"#{parent.id()}"
            element = parent
        return ""

    def stated_area(self, space) -> float | None:
        """NetFloorArea of Qto_SpaceBaseQuantities, else the first area-named property."""
        if self.definitions is None:
            self.definitions = _definitions(self.model)
        quantity, others = None, []
        for definition in self.definitions.get(space.id(), ()):
            values = _values(definition)
            if definition.Name == "Qto_SpaceBaseQuantities":
                quantity = values.get("NetFloorArea")
            else:
                others.append((definition.Name or "", values))
        candidates = [quantity]
        for _name, values in sorted(others, key=lambda item: item[0]):
            candidates.extend(values.get(key) for key in AREA_NAMES)
        for value in candidates:
            if isinstance(value, (int, float)) and math.isfinite(value) and value > 0:
                return round(float(value) * self.area_scale, 4)
        return None

    def footprint(self, space) -> Polygon | None:
        polygon = self.profile_footprint(space)
        if polygon is None:
            polygon = self.shape_footprint(space)
        if polygon is None or polygon.is_empty:
            return None
        if not polygon.is_valid:
            polygon = polygon.buffer(0)
        if polygon.geom_type == "MultiPolygon":
            polygon = max(polygon.geoms, key=lambda p: p.area)
        return polygon if polygon.geom_type == "Polygon" and polygon.area > 0 else None

    def profile_footprint(self, space) -> Polygon | None:
        """The swept profile of an extruded solid (vertical extrusion), placed in world coordinates."""
        representation = getattr(space, "Representation", None)
        if representation is None or space.ObjectPlacement is None:
            return None
        placement = self.placement(space.ObjectPlacement)
        for shape in representation.Representations or ():
            for item in shape.Items or ():
                while item.is_a("IfcBooleanResult"):
                    item = item.FirstOperand
                if not item.is_a("IfcExtrudedAreaSolid"):
                    continue
                direction = item.ExtrudedDirection.DirectionRatios
                if abs(direction[0]) > 1e-6 or abs(direction[1]) > 1e-6:
                    continue
                rings = self.profile_rings(item.SweptArea)
                if not rings:
                    continue
                matrix = placement
                if item.Position is not None:
                    matrix = placement @ _axis2placement(item.Position)
                placed = [_transform(matrix, ring, self.unit) for ring in rings]
                return Polygon(placed[0], placed[1:])
        return None

    def profile_rings(self, profile) -> list[list[tuple[float, float]]]:
        rings = []
        if profile.is_a("IfcRectangleProfileDef"):
            x, y = profile.XDim / 2, profile.YDim / 2
            rings = [[(-x, -y), (x, -y), (x, y), (-x, y)]]
        elif profile.is_a("IfcArbitraryClosedProfileDef"):
            curves = [profile.OuterCurve, *(getattr(profile, "InnerCurves", None) or ())]
            rings = [_curve_points(curve) for curve in curves]
            if any(ring is None for ring in rings):
                return []
        position = getattr(profile, "Position", None)
        if position is not None and position.is_a("IfcAxis2Placement2D") and rings:
            ox, oy = position.Location.Coordinates[:2]
            dx, dy = (
                position.RefDirection.DirectionRatios[:2] if position.RefDirection else (1.0, 0.0)
            )
            norm = math.hypot(dx, dy) or 1.0
            dx, dy = dx / norm, dy / norm
            rings = [
                [(ox + x * dx - y * dy, oy + x * dy + y * dx) for x, y in ring] for ring in rings
            ]
        return [ring for ring in rings if len(ring) >= 3]

    def shape_footprint(self, space) -> Polygon | None:
        """The outline from above of the space's triangulated shape (any representation)."""
        import ifcopenshell.geom

        settings = ifcopenshell.geom.settings()
        settings.set("use-world-coords", True)
        try:
            shape = ifcopenshell.geom.create_shape(settings, space)
        except (RuntimeError, ValueError, TypeError, AttributeError):
            return None
        vertices = np.array(shape.geometry.verts, dtype=float).reshape(-1, 3)
        faces = np.array(shape.geometry.faces, dtype=int).reshape(-1, 3)
        triangles = [Polygon(vertices[face][:, :2]) for face in faces[:20000]]
        triangles = [t for t in triangles if t.area > 1e-9]
        if not triangles:
            return None
        outline = unary_union(triangles)
        return outline.simplify(1e-6) if not outline.is_empty else None

    def room(self, space, level: str, result: DrawingResult) -> DrawnRoom | None:
        stated = self.stated_area(space)
        try:
            polygon = self.footprint(space)
        except (RuntimeError, ValueError, TypeError, AttributeError, IndexError):
            polygon = None
        number, name = _text(space.Name), _text(getattr(space, "LongName", None))
        if polygon is None:
            if stated is None:
                return None
            result.warning(_where(space), "空间没有可读的几何形状，只有面积")
            return DrawnRoom(number, name, stated, {}, stated, level, "ifc")
        geometry = to_geometry(polygon)
        area = round(Polygon(geometry["coordinates"][0], geometry["coordinates"][1:]).area, 4)
        return DrawnRoom(number, name, area, geometry, stated, level, "ifc")


def _curve_points(curve) -> list[tuple[float, float]] | None:
    if curve.is_a("IfcPolyline"):
        return [tuple(point.Coordinates[:2]) for point in curve.Points]
    if curve.is_a("IfcIndexedPolyCurve"):
        if curve.Segments and any(not s.is_a("IfcLineIndex") for s in curve.Segments):
            return None
        return [tuple(point[:2]) for point in curve.Points.CoordList]
    return None


def _transform(matrix, ring, unit: float) -> list[tuple[float, float]]:
    points = np.array([[x, y, 0.0, 1.0] for x, y in ring], dtype=float)
    placed = points @ np.asarray(matrix, dtype=float).T
    return [(float(x) * unit, float(y) * unit) for x, y, *_ in placed]


def _unit(vector, default: tuple[float, float, float]) -> np.ndarray:
    ratios = vector.DirectionRatios if vector is not None else default
    values = np.array([*ratios, 0.0, 0.0][:3], dtype=float)
    norm = float(np.linalg.norm(values))
    return values / norm if norm > 1e-12 else np.array(default, dtype=float)


def _axis2placement(position) -> np.ndarray:
    """4×4 matrix of an IfcAxis2Placement3D (identity for anything else)."""
    matrix = np.eye(4)
    if position is None or not position.is_a("IfcAxis2Placement3D"):
        return matrix
    z = _unit(position.Axis, (0.0, 0.0, 1.0))
    x = _unit(position.RefDirection, (1.0, 0.0, 0.0))
    x = x - float(x @ z) * z
    norm = float(np.linalg.norm(x))
    x = x / norm if norm > 1e-12 else np.array([1.0, 0.0, 0.0])
    y = np.array([z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]])
    matrix[:3, 0], matrix[:3, 1], matrix[:3, 2] = x, y, z
    matrix[:3, 3] = [*position.Location.Coordinates, 0.0, 0.0][:3]
    return matrix


def _definitions(model) -> dict[int, list]:
    """Property sets and quantity sets of every object, read once for the whole model."""
    found: dict[int, list] = {}
    for rel in model.by_type("IfcRelDefinesByProperties"):
        definition = rel.RelatingPropertyDefinition
        if definition is None or definition.is_a() not in ("IfcPropertySet", "IfcElementQuantity"):
            continue
        for related in rel.RelatedObjects or ():
            found.setdefault(related.id(), []).append(definition)
    return found


def _values(definition) -> dict:
    """Name → number of the single values or area/length quantities of one set."""
    values: dict = {}
    if definition.is_a("IfcElementQuantity"):
        for quantity in definition.Quantities or ():
            if quantity.is_a("IfcQuantityArea"):
                values[quantity.Name] = quantity.AreaValue
    else:
        for prop in definition.HasProperties or ():
            if prop.is_a("IfcPropertySingleValue") and prop.NominalValue is not None:
                values[prop.Name] = prop.NominalValue.wrappedValue
    return values
