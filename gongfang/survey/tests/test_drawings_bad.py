"""Bad drawings: every case gives Chinese problems naming where, never an exception or a hang."""

from __future__ import annotations

import io
import random
import re
import time

import ezdxf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongfang.survey.drawings import read_drawing, sniff
from gongfang.survey.drawings.samples import office_building_ifc, office_floor_dxf
from gongfang.survey.tests.dxf_helpers import dxf_bytes, new_doc

ROOMS = [
    ("101", "办公室", 25.3),
    ("102", "会议室", 18.0),
    ("103", "档案室", 40.5),
    ("104", "库房", 9.5),
]
CJK = re.compile(r"[\u4e00-\u9fff]")


def errors(result) -> list:
    return [p for p in result.problems if p.severity == "error"]


def assert_chinese(result) -> None:
    for problem in result.problems:
        assert problem.severity in ("error", "warning")
        assert CJK.search(problem.message) and CJK.search(problem.where), problem


def room(msp, x: float, y: float, w: float, h: float, number: str, layer: str = "ROOM"):
    polyline = msp.add_lwpolyline(
        [(x, y), (x + w, y), (x + w, y + h), (x, y + h)], close=True, dxfattribs={"layer": layer}
    )
    msp.add_text(number, dxfattribs={"layer": "TEXT"}).set_placement((x + w / 3, y + h / 3))
    return polyline


def test_open_outline_is_an_error_with_its_coordinates() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    room(msp, 0, 0, 5, 4, "101")
    msp.add_lwpolyline(
        [(10, 0), (15, 0), (15, 4), (10, 4)], close=False, dxfattribs={"layer": "ROOM"}
    )
    msp.add_text("102", dxfattribs={"layer": "TEXT"}).set_placement((12, 2))
    result = read_drawing(dxf_bytes(doc))
    assert not result.ok
    assert [r.number for r in result.rooms] == ["101"]
    problem = errors(result)[0]
    assert (
        "未闭合" in problem.message
        and "图层「ROOM」" in problem.where
        and "图纸坐标" in problem.where
    )
    assert_chinese(result)


def test_self_intersecting_outline_names_its_handle_and_crossing() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    bowtie = msp.add_lwpolyline(
        [(0, 0), (4, 4), (4, 0), (0, 4)], close=True, dxfattribs={"layer": "ROOM"}
    )
    room(msp, 10, 0, 4, 4, "102")
    result = read_drawing(dxf_bytes(doc))
    assert not result.ok
    problem = next(p for p in errors(result) if "自相交" in p.message)
    assert f"#{bowtie.dxf.handle}" in problem.where and "(2, 2)" in problem.where


def test_overlapping_rooms_are_errors_naming_both() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    room(msp, 0, 0, 5, 4, "101")
    room(msp, 4, 0, 5, 4, "102")
    result = read_drawing(dxf_bytes(doc))
    assert not result.ok
    problem = next(p for p in errors(result) if "重叠" in p.message)
    assert (
        "101" in problem.message and "102" in problem.message and "4.00 平方米" in problem.message
    )


def test_room_inside_a_room_and_unlabelled_shaft() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    room(msp, 0, 0, 10, 10, "101")
    room(msp, 6, 6, 3, 3, "101A")  # an inner room with its own number: cut out of 101
    msp.add_lwpolyline(
        [(1, 6), (2, 6), (2, 7), (1, 7)], close=True, dxfattribs={"layer": "ROOM"}
    )  # a 1 m² shaft
    result = read_drawing(dxf_bytes(doc))
    assert result.ok, result.problems
    areas = {r.number: r.area for r in result.rooms}
    assert areas == {"101": pytest.approx(100 - 9 - 1), "101A": pytest.approx(9)}


def test_duplicate_numbers_and_several_numbers_in_one_room() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    room(msp, 0, 0, 5, 4, "101")
    room(msp, 6, 0, 5, 4, "101")
    room(msp, 12, 0, 5, 4, "103")
    msp.add_text("104", dxfattribs={"layer": "TEXT"}).set_placement((15, 3))
    result = read_drawing(dxf_bytes(doc))
    assert any("101 出现 2 次" in p.message for p in errors(result))
    assert any("多个编号" in p.message and "103、104" in p.message for p in result.problems)


def test_no_outline_on_the_chosen_layers() -> None:
    data = office_floor_dxf(ROOMS, style="polyline")
    result = read_drawing(data, outline_layers=["房间名称"])
    assert not result.ok and any("没有闭合的房间轮廓" in p.message for p in errors(result))
    missing = read_drawing(data, outline_layers=["不存在的图层"])
    assert any("没有这个图层" in p.message for p in errors(missing))
    doc = new_doc()
    doc.modelspace().add_text("101", dxfattribs={"layer": "TEXT"})
    doc.modelspace().add_line((0, 0), (5, 0), dxfattribs={"layer": "TEXT"})
    only_text = read_drawing(dxf_bytes(doc))
    assert not only_text.ok and errors(only_text)
    assert_chinese(only_text)


def test_unknown_units_are_guessed_with_a_warning_or_refused() -> None:
    mm = read_drawing(
        office_floor_dxf(ROOMS, style="polyline", units="mm").replace(
            b"$INSUNITS\n 70\n4", b"$INSUNITS\n 70\n0"
        )
    )
    metres = office_floor_dxf(ROOMS, style="polyline", units="m").replace(
        b"$INSUNITS\n 70\n6", b"$INSUNITS\n 70\n0"
    )
    assert mm.units == 0.001 and mm.units_source == "guess" and mm.ok
    assert any("推测为毫米" in p.message for p in mm.problems)
    guessed = read_drawing(metres)
    assert guessed.units == 1.0 and any("推测为米" in p.message for p in guessed.problems)
    assert read_drawing(metres, units=1.0).units_source == "user"
    empty = new_doc(0)
    empty.modelspace().add_text("101")
    refused = read_drawing(dxf_bytes(empty))
    assert refused.units is None and any("无法确定单位" in p.message for p in errors(refused))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "不是 DXF 或 IFC"),
        (b"AC1032\x00\x00\x00\x00\x00\x00\x07\x1b", "DWG"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "压缩文件"),
        (bytes(random.Random(7).getrandbits(8) for _ in range(5000)), "不是 DXF 或 IFC"),
        (b"0\nSECTION\n2\nENTITIES\n0\nLINE\n8\n0\n10\nnot-a-number\n", ""),
    ],
)
def test_not_a_drawing(data: bytes, message: str) -> None:
    result = read_drawing(data, filename="x.dxf")
    assert not result.ok and errors(result)
    assert message in " ".join(p.message for p in errors(result))
    assert_chinese(result)


def test_truncated_dxf_and_ifc_files() -> None:
    dxf = office_floor_dxf(ROOMS, style="polyline")
    for cut in (len(dxf) // 5, len(dxf) // 2, len(dxf) - 40):
        result = read_drawing(dxf[:cut])
        assert any("不完整" in p.message for p in result.problems) or errors(result)
        assert_chinese(result)
    ifc = office_building_ifc([ROOMS])
    for cut in (200, len(ifc) // 2, len(ifc) - 30):
        result = read_drawing(ifc[:cut])
        assert any("不完整" in p.message for p in result.problems)
        assert_chinese(result)


def test_size_and_entity_limits() -> None:
    data = office_floor_dxf(ROOMS, style="walls")
    big = read_drawing(data, max_bytes=10_000)
    assert any("文件过大" in p.message for p in errors(big)) and big.layers == []
    many = read_drawing(data, max_entities=50)
    assert any("实体超过 50 个" in p.message for p in errors(many))
    ifc = read_drawing(office_building_ifc([ROOMS]), max_entities=2)
    assert any("空间超过 2 个" in p.message for p in errors(ifc))


def test_deeply_nested_and_self_referencing_blocks_stop() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    room(msp, 0, 0, 5, 4, "101")
    previous = None
    for depth in range(15):
        block = doc.blocks.new(f"NEST{depth}")
        if previous is None:
            block.add_text("深处文字")
        else:
            block.add_blockref(previous, (0, 0))
        previous = block.name
    nested = msp.add_blockref(previous, (1, 1), dxfattribs={"layer": "TEXT"})
    loop = doc.blocks.new("LOOP")
    loop.add_line((0, 0), (1, 0))
    loop.add_blockref("LOOP", (1, 0))
    msp.add_blockref("LOOP", (20, 0), dxfattribs={"layer": "TEXT"})
    started = time.monotonic()
    result = read_drawing(dxf_bytes(doc))
    assert time.monotonic() - started < 10
    assert [r.number for r in result.rooms] == ["101"]
    warning = next(p for p in result.problems if "嵌套" in p.message)
    assert f"#{nested.dxf.handle}" in warning.where


def test_ifc_without_spaces_or_storey() -> None:
    empty = read_drawing(office_building_ifc([[]]))
    assert any("没有房间" in p.message for p in errors(empty))
    wrong = read_drawing(office_building_ifc([ROOMS]), storey="9F")
    assert any("没有名为「9F」的楼层" in p.message for p in errors(wrong))
    assert sniff(b"ISO-10303-21;\nHEADER;") == "ifc"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([b"", b"0\nSECTION\n", b"ISO-10303-21;\nHEADER;\n"]), st.binary(max_size=3000)
)
def test_random_bytes_never_raise(prefix: bytes, data: bytes) -> None:
    """Junk, and junk that looks like a DXF or IFC at first sight, so that the parsers get it."""
    result = read_drawing(prefix + data)
    assert not result.ok and errors(result)
    assert_chinese(result)


# Made once: the generators stamp the time into the files, and hypothesis wants equal lengths.
ORIGINALS = [office_floor_dxf(ROOMS, style="polyline"), office_building_ifc([ROOMS])]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_drawings_never_raise(data) -> None:
    damaged = bytearray(data.draw(st.sampled_from(ORIGINALS)))
    for _ in range(data.draw(st.integers(1, 20))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        damaged[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(damaged) // 2, len(damaged)))
    result = read_drawing(bytes(damaged[:cut]))
    for problem in result.problems:
        assert problem.severity in ("error", "warning") and problem.message


def test_walls_without_door_layers_bridge_short_gaps_with_a_warning() -> None:
    data = office_floor_dxf(ROOMS, style="walls")
    result = read_drawing(data, label_layers=["TEXT"], outline_layers=["WALL"])
    assert result.ok
    doc = ezdxf.read(io.StringIO(data.decode()))
    for insert in doc.modelspace().query("INSERT"):
        doc.modelspace().delete_entity(insert)
    without = read_drawing(dxf_bytes(doc))
    assert without.ok, without.problems
    assert {r.number: round(r.area, 2) for r in without.rooms} == {n: a for n, _, a in ROOMS}
    assert any("没有找到门窗图层" in p.message for p in without.problems)


def test_walls_without_labels_give_no_rooms() -> None:
    doc = ezdxf.read(io.StringIO(office_floor_dxf(ROOMS, style="walls").decode()))
    for text in doc.modelspace().query("TEXT"):
        doc.modelspace().delete_entity(text)
    result = read_drawing(dxf_bytes(doc))
    assert not result.ok and not result.rooms
    assert any("没有房间标注" in p.message for p in result.problems)
    assert any("没有找到房间" in p.message for p in errors(result))


def test_bridging_work_is_bounded(monkeypatch) -> None:
    from gongfang.survey.drawings import dxf

    monkeypatch.setattr(dxf, "MAX_BRIDGE_CHECKS", 10)
    result = read_drawing(office_floor_dxf(ROOMS, style="walls"))
    assert any("只补齐了部分门窗断口" in p.message for p in result.problems)
