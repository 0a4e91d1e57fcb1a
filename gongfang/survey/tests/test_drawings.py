"""Reading room drawings: every DXF style and IFC, areas against the exact polygon areas."""

from __future__ import annotations

import io
import json
import math

import ezdxf
import pytest
from shapely.geometry import Polygon, shape

from gongfang.survey.drawings import DrawingResult, read_drawing
from gongfang.survey.drawings.dxf import layer_role, mtext_plain
from gongfang.survey.drawings.samples import (
    office_building_ifc,
    office_floor_dxf,
    office_floor_layout,
    ring_area,
)
from gongfang.survey.tests.dxf_helpers import dxf_bytes, new_doc

ROOMS = [
    ("101", "办公室", 25.3),
    ("102", "会议室", 18.0),
    ("103", "档案室", 40.5),
    ("104", "接待室", 12.75),
    ("105", "大会议室", 66.0),
    ("106", "办公室", 30.0),
    ("107", "资料室", 22.2),
    ("108", "库房", 9.5),
    ("109", "多功能厅", 75.25),
    ("110", "办公室", 15.0),
    ("111", "值班室", 7.35),
]
AREAS = {number: area for number, _, area in ROOMS}
NAMES = {number: name for number, name, _ in ROOMS}


def by_number(result: DrawingResult) -> dict:
    return {room.number: room for room in result.rooms}


# -- generated floor plans ------------------------------------------------------------------


def test_layout_areas_orientation_and_no_overlap() -> None:
    layout = office_floor_layout([*ROOMS, ("112", "无面积", 0), ("113", "无面积", None)])
    assert set(layout) == set(AREAS)
    polygons = []
    for number, geometry in layout.items():
        ring = geometry["coordinates"][0]
        assert ring[0] == ring[-1] and ring_area(ring) > 0
        assert abs(Polygon(ring).area - AREAS[number]) < 0.01
        polygons.append(Polygon(ring))
    for i, a in enumerate(polygons):
        for b in polygons[i + 1 :]:
            assert a.intersection(b).area < 1e-6
    assert office_floor_layout(ROOMS) == layout  # deterministic


@pytest.mark.parametrize(
    ("style", "source", "outline_layer", "units"),
    [
        ("polyline", "polyline", "房间轮廓", "insunits"),
        ("hatch", "hatch", "ROOM-HATCH", "insunits"),
        ("lines", "lines", "分隔线", "insunits"),
        ("walls", "walls", "WALL", "insunits"),
        ("tarch", "walls", "11#平面图$0$WALL", "guess"),
    ],
)
def test_every_style_reads_back_the_exact_areas(style, source, outline_layer, units) -> None:
    result = read_drawing(office_floor_dxf(ROOMS, style=style), filename="floor.dxf")
    assert result.ok, result.problems
    assert result.format == "dxf" and result.units == 0.001 and result.units_source == units
    assert result.outline_layers == [outline_layer]
    rooms = by_number(result)
    assert set(rooms) == set(AREAS)
    for number, room in rooms.items():
        assert abs(room.area - AREAS[number]) < 0.01, (number, room.area)
        assert abs(shape(room.geometry).area - AREAS[number]) < 0.01
        assert ring_area(room.geometry["coordinates"][0]) > 0
        assert room.name == NAMES[number]
        assert room.stated_area == pytest.approx(AREAS[number], abs=0.005)
        assert room.source == source and room.storey == ""
    if style == "tarch":
        assert any("推测为毫米" in p.message for p in result.problems)
        roles = {layer.name: layer.role for layer in result.layers}
        assert roles["11#平面图$0$WALL"] == "wall" and roles["11#平面图$0$WINDOW"] == "opening"
        assert "11#平面图$0$SPACE" in result.label_layers  # names inside block inserts


def test_walls_geometry_is_where_the_layout_puts_the_room() -> None:
    result = read_drawing(office_floor_dxf(ROOMS, style="polyline", units="m"))
    assert result.ok and result.units == 1.0
    layout = office_floor_layout(ROOMS)
    for number, room in by_number(result).items():
        if number in ("102", "106", "110"):  # curved far walls differ from the layout's rectangle
            continue
        drawn, planned = shape(room.geometry), shape(layout[number])
        assert drawn.symmetric_difference(planned).area < 0.01


def test_user_units_override_the_header() -> None:
    result = read_drawing(office_floor_dxf(ROOMS[:3], style="polyline"), units=0.01)
    assert result.units_source == "user" and result.units == 0.01
    assert by_number(result)["101"].area == pytest.approx(2530, abs=0.1)


# -- hand-made drawings ---------------------------------------------------------------------


def test_polyline_bulges_outward_and_inward() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    # 4 x 3 rectangle, counter-clockwise; the right side (3 m) bulges out as a half circle.
    msp.add_lwpolyline(
        [(0, 0, 0), (4, 0, 1), (4, 3, 0), (0, 3, 0)],
        format="xyb",
        close=True,
        dxfattribs={"layer": "ROOM"},
    )
    msp.add_text("A1", dxfattribs={"layer": "TEXT"}).set_placement((1, 1))
    # 4 x 3 rectangle at x=10 whose bottom side arcs inward (a quarter of a circle's segment).
    msp.add_lwpolyline(
        [(10, 0, -0.3), (14, 0, 0), (14, 3, 0), (10, 3, 0)],
        format="xyb",
        close=True,
        dxfattribs={"layer": "ROOM"},
    )
    msp.add_text("A2", dxfattribs={"layer": "TEXT"}).set_placement((11, 2.5))
    # An old-style 2D POLYLINE with a bulge, drawn clockwise.
    polyline = msp.add_polyline2d(
        [(20, 0), (20, 3), (24, 3), (24, 0)], close=True, dxfattribs={"layer": "ROOM"}
    )
    polyline.vertices[2].dxf.bulge = -1  # (24,3)->(24,0) clockwise: a half circle out to the right
    msp.add_text("A3", dxfattribs={"layer": "TEXT"}).set_placement((21, 1))
    result = read_drawing(dxf_bytes(doc))
    assert result.ok, result.problems
    rooms = by_number(result)
    half_circle = math.pi * 1.5**2 / 2
    assert rooms["A1"].area == pytest.approx(12 + half_circle, abs=0.01)
    angle = 4 * math.atan(0.3)
    radius = 4 * (1 + 0.09) / (4 * 0.3)
    segment = radius**2 / 2 * (angle - math.sin(angle))
    assert rooms["A2"].area == pytest.approx(12 - segment, abs=0.01)
    assert rooms["A3"].area == pytest.approx(12 + half_circle, abs=0.01)
    assert all(ring_area(r.geometry["coordinates"][0]) > 0 for r in result.rooms)


def test_mirrored_polyline_is_placed_in_world_coordinates() -> None:
    doc = new_doc()
    doc.modelspace().add_lwpolyline(
        [(1, 1), (5, 1), (5, 4), (1, 4)],
        close=True,
        dxfattribs={"layer": "ROOM", "extrusion": (0, 0, -1)},
    )
    doc.modelspace().add_text("M1", dxfattribs={"layer": "TEXT"}).set_placement((-3, 2))
    result = read_drawing(dxf_bytes(doc))
    assert result.ok, result.problems
    room = result.rooms[0]
    assert room.number == "M1" and room.area == pytest.approx(12, abs=0.001)
    assert shape(room.geometry).centroid.x == pytest.approx(-3, abs=0.001)


def test_hatch_holes_are_subtracted_and_edge_paths_read() -> None:
    doc = new_doc(4)
    msp = doc.modelspace()
    hatch = msp.add_hatch(dxfattribs={"layer": "面积填充"})
    hatch.paths.add_polyline_path(
        [(0, 0), (10000, 0), (10000, 8000), (0, 8000)], is_closed=True, flags=1
    )
    hatch.paths.add_polyline_path(
        [(1000, 1000), (3000, 1000), (3000, 3000), (1000, 3000)], is_closed=True, flags=0
    )
    msp.add_text("201 办公室", dxfattribs={"layer": "房间名称"}).set_placement((5000, 5000))
    edge_hatch = msp.add_hatch(dxfattribs={"layer": "面积填充"})
    edges = edge_hatch.paths.add_edge_path(flags=1)
    # 4 m x 3 m with a half circle on top: lines and a counter-clockwise arc from 0° to 180°.
    edges.add_line((20000, 0), (24000, 0))
    edges.add_line((24000, 0), (24000, 3000))
    edges.add_arc((22000, 3000), 2000, 0, 180, ccw=True)
    edges.add_line((20000, 3000), (20000, 0))
    msp.add_mtext(
        "202\\P会议室\\P{\\H0.7x;18.28m\\S2^;}", dxfattribs={"layer": "房间名称"}
    ).set_location((21000, 1500))
    result = read_drawing(dxf_bytes(doc))
    assert result.ok, result.problems
    rooms = by_number(result)
    assert rooms["201"].area == pytest.approx(76, abs=0.01) and rooms["201"].source == "hatch"
    assert len(rooms["201"].geometry["coordinates"]) == 2  # the hole is kept
    assert rooms["202"].area == pytest.approx(12 + math.pi * 2**2 / 2, abs=0.01)
    assert rooms["202"].name == "会议室" and rooms["202"].stated_area == 18.28
    assert result.outline_layers == ["面积填充"]


def test_loose_lines_and_arcs_with_small_gaps_close() -> None:
    doc = new_doc(4)
    msp = doc.modelspace()
    layer = {"layer": "A-ROOM"}
    # 5 x 4 m, the last line stops 1 mm short of the first.
    for a, b in [
        ((0, 0), (5000, 0)),
        ((5000, 0), (5000, 4000)),
        ((5000, 4000), (0, 4000)),
        ((0, 4000), (0, 1)),
    ]:
        msp.add_line(a, b, dxfattribs=layer)
    # A round-ended room: two lines and two half-circle arcs (a stadium 6 m x 2 m).
    msp.add_line((10000, 0), (14000, 0), dxfattribs=layer)
    msp.add_line((14000, 2000), (10000, 2000), dxfattribs=layer)
    msp.add_arc((14000, 1000), 1000, 270, 90, dxfattribs=layer)
    msp.add_arc((10000, 1000), 1000, 90, 270, dxfattribs=layer)
    msp.add_text("301", dxfattribs={"layer": "TEXT"}).set_placement((2000, 2000))
    msp.add_text("302", dxfattribs={"layer": "TEXT"}).set_placement((12000, 1000))
    result = read_drawing(dxf_bytes(doc))
    assert result.ok, result.problems
    rooms = by_number(result)
    assert rooms["301"].area == pytest.approx(20, abs=0.01) and rooms["301"].source == "lines"
    assert rooms["302"].area == pytest.approx(8 + math.pi, abs=0.01)


def test_labels_inside_block_inserts_attribs_and_split_superscript() -> None:
    doc = new_doc(4)
    msp = doc.modelspace()
    tag = doc.blocks.new("ROOMTAG")
    tag.add_text("办公室", dxfattribs={"layer": "0"}).set_placement((0, 0))
    tag.add_attdef("NO", (0, 500), dxfattribs={"layer": "0"})
    outer = doc.blocks.new("OUTER")
    outer.add_blockref("ROOMTAG", (0, 0))
    for k, x in enumerate((0, 6000)):
        msp.add_lwpolyline(
            [(x, 0), (x + 5000, 0), (x + 5000, 4000), (x, 4000)],
            close=True,
            dxfattribs={"layer": "SPACE"},
        )
        ref = msp.add_blockref(
            "ROOMTAG" if k == 0 else "OUTER", (x + 1000, 2000), dxfattribs={"layer": "ANNO"}
        )
        if k == 0:
            ref.add_auto_attribs({"NO": "401"})
        else:
            msp.add_text("402", dxfattribs={"layer": "ANNO"}).set_placement((x + 1000, 3000))
        msp.add_text("19.98m", dxfattribs={"layer": "PUB_TEXT", "height": 300}).set_placement(
            (x + 1000, 1000)
        )
        msp.add_text("2", dxfattribs={"layer": "PUB_TEXT", "height": 150}).set_placement(
            (x + 2300, 1150)
        )
    result = read_drawing(dxf_bytes(doc))
    assert result.ok, result.problems
    rooms = by_number(result)
    assert set(rooms) == {"401", "402"}
    for room in rooms.values():
        assert (
            room.name == "办公室" and room.stated_area == 19.98 and room.area == pytest.approx(20)
        )
    assert {"ANNO", "PUB_TEXT"} <= set(result.label_layers)


def test_chosen_layers_are_used_as_given() -> None:
    data = office_floor_dxf(ROOMS[:4], style="polyline")
    result = read_drawing(data, outline_layers=["房间轮廓"], label_layers=[])
    assert [r.number for r in result.rooms] == ["", "", "", ""]
    assert any("没有房间编号" in p.message for p in result.problems)
    walls = read_drawing(office_floor_dxf(ROOMS[:4], style="walls"), outline_layers=["WALL"])
    assert walls.ok and len(walls.rooms) == 4


def test_layer_roles_from_names() -> None:
    assert layer_role("11#平面图$0$WALL") == "wall"
    assert layer_role("11#平面图$0$WINDOW") == "opening"
    assert layer_role("11#平面图$0$PUB_TEXT") == "label"
    assert layer_role("房间") == "outline"
    assert layer_role("SPACE") == "outline"
    assert layer_role("DOTE") == "ignore"  # TArch axis lines
    assert layer_role("PUB_DIM") == "ignore"
    assert layer_role("COLUMN") == "wall"


def test_mtext_formatting_codes() -> None:
    assert mtext_plain("{\\H0.7x;34.88m\\S2^;}\\P办公室") == "34.88m2\n办公室"
    assert mtext_plain("\\A1;\\fSimSun|b0;101\\~室") == "101 室"


# -- IFC ------------------------------------------------------------------------------------


def test_ifc_spaces_per_storey_with_stated_areas() -> None:
    floors = [
        [(f"{level}{n[1:]}", name, area) for n, name, area in ROOMS[:6]] for level in (1, 2, 3)
    ]
    data = office_building_ifc(floors, area_source="mixed")
    result = read_drawing(data, filename="building.ifc")
    assert result.ok, result.problems
    assert result.format == "ifc" and result.units == 1.0 and result.units_source == "ifc"
    assert result.storeys == ["1F", "2F", "3F"]
    assert len(result.rooms) == 18
    stated = [room.stated_area for room in result.rooms]
    assert stated.count(None) == 6  # "mixed": quantity, property set, none in turn
    for room in result.rooms:
        expected = AREAS["1" + room.number[1:]]
        assert room.area == pytest.approx(expected, abs=0.01) and room.source == "ifc"
        assert room.storey == f"{room.number[0]}F" and room.name == NAMES["1" + room.number[1:]]
        if room.stated_area is not None:
            assert room.stated_area == pytest.approx(expected, abs=0.005)
    second = read_drawing(data, storey="2F")
    assert second.ok and {r.number for r in second.rooms} == {f"2{n[1:]}" for n, _, _ in ROOMS[:6]}
    layout = office_floor_layout(ROOMS[:6])
    for room in second.rooms:
        assert (
            shape(room.geometry).symmetric_difference(shape(layout["1" + room.number[1:]])).area
            < 0.01
        )


def test_ifc_footprint_from_triangulated_shape(monkeypatch) -> None:
    from gongfang.survey.drawings import ifc

    monkeypatch.setattr(ifc.SpaceReader, "profile_footprint", lambda self, space: None)
    result = read_drawing(office_building_ifc([ROOMS[:3]], area_source="none"))
    assert result.ok, result.problems
    for room in result.rooms:
        assert room.area == pytest.approx(AREAS[room.number], abs=0.01) and room.stated_area is None


def test_result_json_round_trip() -> None:
    result = read_drawing(office_floor_dxf(ROOMS[:3], style="tarch"))
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    again = DrawingResult.from_json(data)
    assert again == result and again.ok == result.ok


def test_ifc_placements_rotate_and_move_the_footprint() -> None:
    import ifcopenshell

    model = ifcopenshell.file.from_string(office_building_ifc([ROOMS[:2]]).decode())
    building = model.by_type("IfcBuilding")[0]
    building.ObjectPlacement.RelativePlacement = model.createIfcAxis2Placement3D(
        model.createIfcCartesianPoint((100.0, 50.0, 0.0)),
        model.createIfcDirection((0.0, 0.0, 1.0)),
        model.createIfcDirection((0.0, 1.0, 0.0)),  # x axis along world y: turned 90°
    )
    result = read_drawing(model.to_string().encode())
    assert result.ok, result.problems
    layout = office_floor_layout(ROOMS[:2])
    for room in result.rooms:
        planned = shape(layout[room.number]).centroid
        drawn = shape(room.geometry).centroid
        assert room.area == pytest.approx(AREAS[room.number], abs=0.01)
        assert (drawn.x, drawn.y) == (pytest.approx(100 - planned.y), pytest.approx(50 + planned.x))


def test_binary_dxf(tmp_path) -> None:
    doc = ezdxf.read(io.StringIO(office_floor_dxf(ROOMS[:3]).decode()))
    doc.saveas(tmp_path / "floor.dxf", fmt="bin")
    data = (tmp_path / "floor.dxf").read_bytes()
    assert data.startswith(b"AutoCAD Binary DXF")
    result = read_drawing(data)
    assert result.ok, result.problems
    assert {r.number: round(r.area, 2) for r in result.rooms} == {n: a for n, _, a in ROOMS[:3]}
    for cut in (40, len(data) // 2):
        damaged = read_drawing(data[:cut])
        assert not damaged.ok and damaged.problems


def test_walls_drawn_as_closed_outlines_with_door_gaps() -> None:
    """Walls exported as closed polylines around the wall mass (as TArch does), doors cut out."""
    from shapely.geometry import box
    from shapely.ops import unary_union

    rooms = [box(0, 0, 4, 5), box(4.2, 0, 8.2, 5)]
    corridor = box(0, 5.2, 8.2, 7)
    spaces = unary_union([*rooms, corridor])
    walls = spaces.buffer(0.2, join_style="mitre").difference(spaces)
    doors = [box(1, 4.99, 1.9, 5.21), box(5, 4.99, 5.9, 5.21)]
    walls = walls.difference(unary_union(doors))
    doc = new_doc(4)
    msp = doc.modelspace()
    for part in getattr(walls, "geoms", [walls]):
        for ring in [part.exterior, *part.interiors]:
            points = [(x * 1000, y * 1000) for x, y in ring.coords[:-1]]
            msp.add_lwpolyline(points, close=True, dxfattribs={"layer": "A-WALL"})
    leaf = doc.blocks.new("DOOR900")
    leaf.add_line((0, 0), (0, -900))
    leaf.add_arc((0, 0), 900, 270, 360)
    for door in doors:
        msp.add_blockref("DOOR900", (door.bounds[0] * 1000, 5000), dxfattribs={"layer": "A-DOOR"})
    msp.add_text("501 办公室", dxfattribs={"layer": "A-TEXT"}).set_placement((1500, 2500))
    msp.add_text("502 会议室", dxfattribs={"layer": "A-TEXT"}).set_placement((5500, 2500))
    result = read_drawing(dxf_bytes(doc))
    assert result.ok, result.problems
    assert {r.number: round(r.area, 3) for r in result.rooms} == {"501": 20.0, "502": 20.0}
    assert result.outline_layers == ["A-WALL"]


def test_layer_named_for_room_names_is_a_label_layer_and_chosen_ignored_layers_count() -> None:
    assert layer_role("房间名称") == "label" and layer_role("ROOM_LABEL") == "label"
    result = read_drawing(office_floor_dxf(ROOMS[:3], style="polyline"))
    roles = {layer.name: layer.role for layer in result.layers}
    assert roles == {"房间轮廓": "outline", "房间名称": "label"}
    doc = new_doc()
    doc.modelspace().add_lwpolyline(
        [(0, 0), (4, 0), (4, 3), (0, 3)], close=True, dxfattribs={"layer": "图框"}
    )
    assert not read_drawing(dxf_bytes(doc)).rooms  # a frame layer is not guessed as rooms
    assert [r.area for r in read_drawing(dxf_bytes(doc), outline_layers=["图框"]).rooms] == [12.0]


def test_r2000_drawing_in_gbk(tmp_path) -> None:
    """Chinese AutoCAD before 2007 writes texts and layer names in GBK ($DWGCODEPAGE ANSI_936)."""
    doc = ezdxf.new("R2000", setup=False)
    doc.header["$INSUNITS"] = 4
    doc.encoding = "gbk"
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (4000, 0), (4000, 3000), (0, 3000)], close=True, dxfattribs={"layer": "房间"}
    )
    msp.add_text("103 档案室 12.00㎡", dxfattribs={"layer": "文字"}).set_placement((1000, 1000))
    doc.saveas(tmp_path / "gbk.dxf")
    data = (tmp_path / "gbk.dxf").read_bytes()
    assert "档案室".encode("gbk") in data
    result = read_drawing(data)
    assert result.ok, result.problems
    assert [(r.number, r.name, r.stated_area) for r in result.rooms] == [("103", "档案室", 12.0)]
    assert result.outline_layers == ["房间"] and result.label_layers == ["文字"]


def test_ifc_rectangle_profile_with_position() -> None:
    import ifcopenshell

    model = ifcopenshell.file.from_string(office_building_ifc([ROOMS[:1]]).decode())
    solid = model.by_type("IfcExtrudedAreaSolid")[0]
    position = model.createIfcAxis2Placement2D(
        model.createIfcCartesianPoint((30.0, 20.0)), model.createIfcDirection((0.0, 1.0))
    )
    solid.SweptArea = model.createIfcRectangleProfileDef("AREA", None, position, 5.0, 2.0)
    result = read_drawing(model.to_string().encode())
    assert result.ok, result.problems
    polygon = shape(result.rooms[0].geometry)
    assert polygon.area == pytest.approx(10)
    assert polygon.bounds == pytest.approx((29, 17.5, 31, 22.5))  # turned 90°: 2 wide, 5 deep
