"""The label parser: room numbers, names and area texts in the ways drawings write them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongfang.survey.drawings.labels import Label, RoomLabels, parse_area, parse_label

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    ("text", "number", "name", "area"),
    [
        ("101", "101", "", None),
        ("101 办公室 25.3㎡", "101", "办公室", 25.3),
        ("101\n办公室\n25.30m²", "101", "办公室", 25.3),
        ("１０１室", "101", "", None),
        ("B1-203 会议室", "B1-203", "会议室", None),
        ("3-05会议室", "3-05", "会议室", None),
        ("会议室305", "305", "会议室", None),
        ("面积：25.30 m2", "", "", 25.3),
        ("使用面积25.3平方米", "", "", 25.3),
        ("S=12.5", "", "", 12.5),
        ("34.88m", "", "", 34.88),
        ("25.30", "", "", 25.3),
        ("A1", "A1", "", None),
        ("房间号：0102", "0102", "", None),
        ("二层办公室", "", "二层办公室", None),
        ("", "", "", None),
    ],
)
def test_label_forms(text, number, name, area) -> None:
    label = parse_label(text)
    assert (label.number, label.name, label.area) == (number, name, area)


def test_split_superscript() -> None:
    assert parse_label("34.88m").open_area
    assert not parse_label("34.88㎡").open_area
    assert parse_label("2").superscript and parse_label("²").superscript
    combined = RoomLabels.combine(
        [parse_label("34.88m"), parse_label("2"), parse_label("101 档案室")]
    )
    assert (combined.number, combined.name, combined.area) == ("101", "档案室", 34.88)


def test_bare_integers_are_no_areas() -> None:
    assert parse_area("25") is None
    assert parse_area("3.600") is None and parse_area("-0.020") is None  # elevation marks
    assert parse_area("3.600m2") == (3.6, False)
    assert parse_area("25m2") == (25.0, False)
    assert parse_area("0.00㎡") is None


numbers = st.from_regex(r"[A-C]?[1-9][0-9]{2}", fullmatch=True)
names = st.sampled_from(["办公室", "会议室", "档案室", "值班室", "卫生间", "接待室"])
areas = st.decimals(min_value="0.5", max_value="9999.99", places=2)
units = st.sampled_from(["㎡", "m²", "m2", " m2", "平方米", "平米"])


@settings(max_examples=200)
@given(numbers, names, areas, units, st.sampled_from([" ", "\n", "  ", "，"]), st.booleans())
def test_written_labels_parse_back(number, name, area, unit, separator, full_width) -> None:
    text = separator.join([number, name, f"{area}{unit}"])
    if full_width:
        text = text.translate(FULL_WIDTH)
    label = parse_label(text)
    assert label == Label(number=number, name=name, area=float(area))


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_any_text_parses_without_error(text) -> None:
    label = parse_label(text)
    assert label.area is None or 0 < label.area < 1e6
    assert len(label.number) <= 20
