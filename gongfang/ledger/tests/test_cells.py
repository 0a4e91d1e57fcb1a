"""Cell parsers of the spreadsheet importer: every accepted spelling, every error, and properties."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongfang.ledger.cells import (
    CellError,
    is_blank,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)

FULL_WIDTH = str.maketrans("0123456789-.", "０１２３４５６７８９－．")
CHOICES = [("office", "办公室"), ("service", "服务用房"), ("equipment", "设备用房")]
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def raises(message: str):
    """The CellError with exactly this message."""
    return pytest.raises(CellError, match=f"^{re.escape(message)}$")


# --- CellError and is_blank -------------------------------------------------------------------


def test_cell_error_keeps_message():
    error = CellError("应为整数。")
    assert error.message == "应为整数。"
    assert str(error) == "应为整数。"
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("value", [None, "", " ", "\t\n", "\u3000", "\xa0", " \u3000\xa0 "])
def test_is_blank(value):
    assert is_blank(value)


@pytest.mark.parametrize("value", ["a", "0", 0, 0.0, False, "'"])
def test_is_not_blank(value):
    assert not is_blank(value)


# --- parse_text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("\u3000\xa0 ", ""),
        ("  一号楼 ", "一号楼"),
        ("\u3000办公室\u3000", "办公室"),
        ("\ufeff甲", "甲"),
        ("'-101", "-101"),
        ("'=abc", "=abc"),
        ("''x", "'x"),
        ("'", ""),
        ("it's", "it's"),
        (12, "12"),
        (-7, "-7"),
        (12.0, "12"),
        (12.5, "12.5"),
        (0.1, "0.1"),
        (999999999999999.0, "999999999999999"),
    ],
)
def test_parse_text(value, expected):
    assert parse_text(value) == expected


def test_parse_text_rejects_bool():
    with raises("应为文本，不应是逻辑值 TRUE/FALSE。"):
        parse_text(True)


@pytest.mark.parametrize(
    "value", [datetime.date(2024, 3, 1), datetime.datetime(2024, 3, 1, 8, 30), datetime.time(8)]
)
def test_parse_text_rejects_dates(value):
    with raises("应为文本，不应是日期。"):
        parse_text(value)


def test_parse_text_rejects_other_types():
    with raises("应为文本。"):
        parse_text([1])


def test_parse_text_max_length():
    assert parse_text("一二三", max_length=3) == "一二三"
    assert parse_text(" 一二三 ", max_length=3) == "一二三"
    with raises("长度 4 超过上限 3 个字符。"):
        parse_text("一二三四", max_length=3)


def test_parse_text_rejects_long_float_that_lost_digits():
    with pytest.raises(CellError, match="丢失末尾几位"):
        parse_text(110101199003077777.0)


def test_parse_text_rejects_nul_and_non_finite():
    with pytest.raises(CellError, match="控制字符"):
        parse_text("a\x00b")
    with raises("“nan”不是有效的数字。"):
        parse_text(float("nan"))


# --- parse_int --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("\u3000", None),
        (12, 12),
        (-3, -3),
        (12.0, 12),
        ("12", 12),
        (" 12 ", 12),
        ("+12", 12),
        ("-12", -12),
        ("'-101", -101),
        ("１２", 12),
        ("－１２", -12),
        ("1,200", 1200),
        ("1，200", 1200),
        ("1,234,567", 1234567),
        ("12.0", 12),
        ("12.", 12),
        (Decimal("7.00"), 7),
    ],
)
def test_parse_int(value, expected):
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("value", "raw"), [("12.5", "12.5"), (12.5, "12.5"), ("１２．５", "１２．５")]
)
def test_parse_int_rejects_fraction(value, raw):
    with raises(f"应为整数，“{raw}”带有小数。"):
        parse_int(value)


@pytest.mark.parametrize(
    ("value", "raw"),
    [("abc", "abc"), ("1,2", "1,2"), ("12,00", "12,00"), ("1e3", "1e3"), ("--1", "--1")],
)
def test_parse_int_rejects_non_numbers(value, raw):
    with raises(f"“{raw}”不是整数。"):
        parse_int(value)


def test_parse_int_rejects_bool_date_and_non_finite():
    with raises("应为整数，不应是逻辑值 TRUE/FALSE。"):
        parse_int(False)
    with raises("应为整数，不应是日期。"):
        parse_int(datetime.date(2024, 3, 1))
    with raises("“inf”不是整数。"):
        parse_int(float("inf"))


def test_parse_int_bounds():
    assert parse_int("0", min_value=0, max_value=10) == 0
    assert parse_int("10", min_value=0, max_value=10) == 10
    with raises("不能小于 0。"):
        parse_int("-1", min_value=0)
    with raises("不能大于 10。"):
        parse_int(11, max_value=10)


def test_parse_int_rejects_absurd_magnitude():
    with pytest.raises(CellError, match="数值过大"):
        parse_int(10**30)


# --- parse_decimal ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (" ", None),
        (30, "30.00"),
        (25.5, "25.50"),
        (0.1, "0.10"),
        (Decimal("25.5"), "25.50"),
        (" 30 ", "30.00"),
        ("25.5", "25.50"),
        ("25.5㎡", "25.50"),
        ("25.5 ㎡", "25.50"),
        ("25.5m²", "25.50"),
        ("25.5 m2", "25.50"),
        ("25.5M2", "25.50"),
        ("25.5平方米", "25.50"),
        ("25.5 平方米", "25.50"),
        ("25.5平米", "25.50"),
        ("25.5 平方", "25.50"),
        ("１２．５", "12.50"),
        ("１２．５㎡", "12.50"),
        ("1,234.56", "1234.56"),
        ("25.50000", "25.50"),
        ("-3.5", "-3.50"),
        ("-0", "0.00"),
        (".5", "0.50"),
        ("'12.30", "12.30"),
    ],
)
def test_parse_decimal(value, expected):
    result = parse_decimal(value)
    if expected is None:
        assert result is None
    else:
        assert result == Decimal(expected)
        assert str(result) == expected


def test_parse_decimal_places():
    assert str(parse_decimal("12.345", places=3)) == "12.345"
    assert str(parse_decimal("12", places=0)) == "12"
    with raises("最多保留 2 位小数。"):
        parse_decimal("12.345")
    with raises("最多保留 2 位小数。"):
        parse_decimal(0.125)
    with raises("最多保留 0 位小数。"):
        parse_decimal("12.5", places=0)


@pytest.mark.parametrize(
    ("value", "raw"),
    [
        ("abc", "abc"),
        ("㎡", "㎡"),
        ("平方米", "平方米"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("inf", "inf"),
        ("1e3", "1e3"),
        ("12.5.1", "12.5.1"),
        ("25.5 公顷", "25.5 公顷"),
        (float("nan"), "nan"),
        (float("-inf"), "-inf"),
        (Decimal("NaN"), "NaN"),
    ],
)
def test_parse_decimal_rejects_non_numbers(value, raw):
    with raises(f"“{raw}”不是有效的数字。"):
        parse_decimal(value)


def test_parse_decimal_rejects_bool_and_date():
    with raises("应为数字，不应是逻辑值 TRUE/FALSE。"):
        parse_decimal(True)
    with raises("应为数字，不应是日期。"):
        parse_decimal(datetime.datetime(2024, 3, 1))


def test_parse_decimal_bounds():
    assert parse_decimal("0", min_value=Decimal("0")) == Decimal("0.00")
    with raises("不能小于 0。"):
        parse_decimal("-0.01", min_value=0)
    with raises("不能大于 100.00。"):
        parse_decimal("100.01", max_value=Decimal("100.00"))


# --- parse_date -------------------------------------------------------------------------------

MARCH_1 = datetime.date(2024, 3, 1)


@pytest.mark.parametrize(
    "value",
    [
        MARCH_1,
        datetime.datetime(2024, 3, 1),
        datetime.datetime(2024, 3, 1, 15, 45),
        45352,
        45352.0,
        45352.75,
        20240301,
        "2024-03-01",
        "2024-3-1",
        "2024/03/01",
        "2024/3/1",
        "2024.3.1",
        "2024年3月1日",
        "2024年03月01日",
        "2024 年 3 月 1 日",
        "20240301",
        "2024-03-01 00:00:00",
        "2024/3/1 0:00",
        "2024-03-01T00:00:00",
        "２０２４－０３－０１",
        "２０２４年３月１日",
        " 2024-03-01\u3000",
        "'2024-03-01",
    ],
)
def test_parse_date(value):
    assert parse_date(value) == MARCH_1


@pytest.mark.parametrize("value", [None, "", "\u3000"])
def test_parse_date_blank(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),
        (73415, datetime.date(2100, 12, 31)),
    ],
)
def test_parse_date_excel_serials(serial, expected):
    assert parse_date(serial) == expected


def test_parse_date_rejects_fictitious_1900_02_29():
    with raises("“60”对应 Excel 中不存在的 1900-02-29，不是有效日期。"):
        parse_date(60)


@pytest.mark.parametrize("value", ["2024-02-30", "2023-02-29", "2024年13月1日", "20241301"])
def test_parse_date_rejects_invalid_calendar_dates(value):
    with raises(f"“{value}”不是有效日期。"):
        parse_date(value)


@pytest.mark.parametrize(
    "value", ["abc", "2024-03", "3/1/2024", "24-3-1", "2024-3/1", "2024-03-01 25:00", 0, -5, 3e6]
)
def test_parse_date_rejects_unrecognized(value):
    raw = "3000000" if value == 3e6 else str(value)
    with raises(f"“{raw}”不是可识别的日期，请写成 2024-03-01 的形式。"):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("1899-12-31", 1899),
        ("2101-01-01", 2101),
        (datetime.date(1066, 10, 14), 1066),
        (2958465, 9999),
    ],
)
def test_parse_date_rejects_years_out_of_range(value, year):
    with raises(f"年份 {year} 不在 1900 至 2100 年之间。"):
        parse_date(value)


def test_parse_date_rejects_bool():
    with raises("应为日期，不应是逻辑值 TRUE/FALSE。"):
        parse_date(True)


# --- parse_bool -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [True, 1, 1.0, "是", "真", "Y", "y", "YES", "Yes", "TRUE", "true", "1", "√", "✓", " 是 ", "Ｙ"],
)
def test_parse_bool_true(value):
    assert parse_bool(value) is True


@pytest.mark.parametrize(
    "value", [False, 0, 0.0, "否", "假", "N", "n", "NO", "no", "FALSE", "False", "0", "×", "✗"]
)
def test_parse_bool_false(value):
    assert parse_bool(value) is False


@pytest.mark.parametrize("value", [None, "", " \u3000"])
def test_parse_bool_blank(value):
    assert parse_bool(value) is None


@pytest.mark.parametrize(
    ("value", "raw"), [("对", "对"), ("maybe", "maybe"), (2, "2"), (0.5, "0.5")]
)
def test_parse_bool_rejects(value, raw):
    with raises(f"“{raw}”应填“是”或“否”。"):
        parse_bool(value)


# --- parse_choice -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("办公室", "office"),
        (" 服务用房\u3000", "service"),
        ("office", "office"),
        ("OFFICE", "office"),
        ("Equipment", "equipment"),
        (None, None),
        ("", None),
    ],
)
def test_parse_choice(value, expected):
    assert parse_choice(value, CHOICES) == expected


def test_parse_choice_prefers_label_over_stored_value():
    choices = [("a", "b"), ("b", "c")]
    assert parse_choice("b", choices) == "a"


def test_parse_choice_accepts_any_iterable_and_numbers():
    assert parse_choice(2, iter([("1", "一"), ("2", "二")])) == "2"
    assert parse_choice(2.0, (("1", "一"), ("2", "二"))) == "2"


@pytest.mark.parametrize(("value", "raw"), [("会议室", "会议室"), (True, "True"), ("办公", "办公")])
def test_parse_choice_rejects(value, raw):
    with raises(f"“{raw}”不是可选值；可选：办公室、服务用房、设备用房。"):
        parse_choice(value, CHOICES)


# --- properties -------------------------------------------------------------------------------

areas = st.decimals(
    min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False
)


@given(areas)
def test_decimal_round_trips(number):
    expected = number.quantize(Decimal("0.01"))
    text = str(number)
    for value in (text, text + "㎡", text + " 平方米", float(number), number):
        assert parse_decimal(value) == expected
        assert parse_decimal(value).as_tuple().exponent == -2


@given(st.dates(min_value=datetime.date(1901, 1, 1), max_value=datetime.date(2099, 12, 31)))
def test_date_round_trips(day):
    y, m, d = day.year, day.month, day.day
    texts = [
        day.isoformat(),
        f"{y}-{m}-{d}",
        day.strftime("%Y/%m/%d"),
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        day.strftime("%Y年%m月%d日"),
        day.strftime("%Y%m%d"),
        f"{day.isoformat()} 00:00:00",
        f"{y}/{m}/{d} 0:00",
        f"{day.isoformat()}T00:00:00",
        day.isoformat().translate(FULL_WIDTH),
    ]
    serial = (day - EXCEL_EPOCH).days
    others = [day, datetime.datetime(y, m, d), serial, float(serial), serial + 0.5]
    for value in texts + others:
        assert parse_date(value) == day, value


@given(st.integers(min_value=-(10**17), max_value=10**17))
def test_int_round_trips(number):
    text = str(number)
    for value in (number, text, f" {text} ", text.translate(FULL_WIDTH), f"{number:,}"):
        assert parse_int(value) == number
    if abs(number) < 2**53:
        assert parse_int(float(number)) == number


@given(st.text().filter(lambda s: s == s.strip() and not s.startswith("'") and "\x00" not in s))
def test_text_round_trips(text):
    assert parse_text(text) == text


anything = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789０１２３４５６７８９.,．，-－+ 年月日/:T㎡m²平方米'"),
    st.floats(),
    st.integers(),
    st.booleans(),
    st.decimals(),
    st.dates(),
    st.datetimes(),
)


@given(anything)
def test_parsers_only_raise_cell_error(value):
    parsers = [
        parse_text,
        lambda v: parse_text(v, max_length=5),
        parse_int,
        lambda v: parse_int(v, min_value=0, max_value=100),
        parse_decimal,
        lambda v: parse_decimal(v, places=0, min_value=0),
        parse_date,
        parse_bool,
        lambda v: parse_choice(v, CHOICES),
        is_blank,
    ]
    for parse in parsers:
        try:
            parse(value)
        except CellError as error:
            assert error.message.endswith("。")
