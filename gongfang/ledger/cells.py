"""Parsers for single spreadsheet cells, used by the ledger importer.

openpyxl (read-only) hands over str, int, float, datetime, date, bool or None per cell; a csv
hands over str. Each parser turns one such raw value into the typed value a model field wants, or
raises :class:`CellError` carrying a Chinese sentence for the user. The sentence never names the
row or the column: the importer prefixes "第 N 行“列名”：" itself.

Kept free of models and the database so the rules can be tested exhaustively and cheaply.
Blank cells (None, or only whitespace such as the full-width space) give None ("" for text).
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Context, Decimal
from typing import Any

# The invisible marks pasted text carries; stripped with whitespace of every kind.
_INVISIBLE = "\u200b\ufeff"
# Plain or comma-grouped digits, optional fraction; no exponent (a typo more often than not).
_NUMBER = re.compile(
    r"[+-]?(?:(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII
)
# Applied after NFKC, which already turned "㎡" and "m²" into "m2".
_AREA_UNIT = re.compile(r"\s*(?:m2|平方米|平米|平方)\Z", re.IGNORECASE)
_MAX_NUMBER_TEXT = 40  # longer "numbers" are garbage; also keeps Decimal work bounded
_TOO_BIG = Decimal(10) ** 18  # far beyond any area or count in a ledger
_EXACT = Context(prec=100)  # quantize without the default 28-digit rounding
_EXCEL_TEXT_DIGITS = 1e15  # Excel keeps 15 significant digits; larger integers lost some
_TRUE = frozenset({"是", "真", "y", "yes", "true", "1", "√", "✓", "✔"})
_FALSE = frozenset({"否", "假", "n", "no", "false", "0", "×", "✗", "✘"})
_EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 0 for serials after the fake 1900-02-29
_MIN_YEAR, _MAX_YEAR = 1900, 2100
_TIME = r"(?:[ T]+(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?)?"  # dropped
_DATE_FORMS = tuple(
    re.compile(form + _TIME, re.ASCII)
    for form in (
        r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})",
        r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*[日号]",
        r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})",
    )
)


class CellError(ValueError):
    """A cell that cannot be read; ``message`` is Chinese, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_blank(value: Any) -> bool:
    """True for None and whitespace-only text: such cells mean "not filled in"."""
    return value is None or (isinstance(value, str) and not _strip(value))


def _strip(text: str) -> str:
    """``text`` without whitespace of any kind (incl. \u3000, \xa0) or invisible marks
    (\u200b, \ufeff) at either end."""
    text = text.strip()
    while text and (text[0] in _INVISIBLE or text[-1] in _INVISIBLE):
        text = text.strip(_INVISIBLE).strip()
    return text


def _clean(text: str) -> str:
    """Strip whitespace and the one apostrophe exports put before formula-like text."""
    text = _strip(text)
    return text[1:] if text.startswith("'") else text


def _normalized(text: str) -> str:
    """Cleaned text with full-width digits and punctuation folded to ASCII."""
    return unicodedata.normalize("NFKC", _clean(text)).strip().replace("−", "-")


def _show(value: Any) -> str:
    """The raw value as quoted back to the user, shortened."""
    if isinstance(value, str):
        text = _clean(value)
    elif isinstance(value, float) and value.is_integer() and abs(value) < _EXCEL_TEXT_DIGITS:
        text = str(int(value))
    else:
        try:
            text = str(value)
        except ValueError:  # an int beyond Python's int-to-str digit limit
            text = "……"
    return text if len(text) <= 30 else text[:30] + "…"


def _float_text(value: float) -> str:
    """A number cell as text: 12.0 -> "12", as the user sees it in the spreadsheet."""
    if not math.isfinite(value):
        raise CellError(f"“{value}”不是有效的数字。")
    if not value.is_integer():
        return repr(value)
    if abs(value) >= _EXCEL_TEXT_DIGITS:
        raise CellError(
            "数字位数过多，电子表格可能已丢失末尾几位；请把该列设为文本格式后重新填写。"
        )
    return str(int(value))


def parse_text(value: Any, *, max_length: int | None = None) -> str:
    """Text as typed; numbers as displayed; booleans and dates are a wrong column type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellError("应为文本，不应是逻辑值 TRUE/FALSE。")
    if isinstance(value, str):
        text = _clean(value)
    elif isinstance(value, int):
        try:
            text = str(value)
        except ValueError:
            raise CellError("数字位数过多。") from None
    elif isinstance(value, float):
        text = _float_text(value)
    elif isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        raise CellError("应为文本，不应是日期。")
    else:
        raise CellError("应为文本。")
    if "\x00" in text:  # PostgreSQL cannot store it
        raise CellError("含有无法保存的控制字符（NUL），请删除后重新填写。")
    if max_length is not None and len(text) > max_length:
        raise CellError(f"长度 {len(text)} 超过上限 {max_length} 个字符。")
    return text


def _to_decimal(value: Any, noun: str, invalid: str, *, units: bool = False) -> Decimal | None:
    """Any numeric cell as an exact Decimal (floats via their shortest repr), None if blank.

    ``invalid`` is the message for a value that is no number, "{}" standing for the value.
    """
    if is_blank(value):
        return None
    number: Decimal | None = None
    if isinstance(value, bool):
        raise CellError(f"应为{noun}，不应是逻辑值 TRUE/FALSE。")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value)) if math.isfinite(value) else None
    elif isinstance(value, Decimal):
        number = value if value.is_finite() else None
    elif isinstance(value, str):
        text = _normalized(value)
        if not text:
            return None
        if units:
            text = _AREA_UNIT.sub("", text)
        if len(text) <= _MAX_NUMBER_TEXT and _NUMBER.fullmatch(text):
            number = Decimal(text.replace(",", ""))
    elif isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        raise CellError(f"应为{noun}，不应是日期。")
    if number is None:
        raise CellError(invalid.format(_show(value)))
    if abs(number) >= _TOO_BIG:
        raise CellError(f"“{_show(value)}”数值过大。")
    return number


def _check_bounds(value: Any, min_value: Any, max_value: Any) -> None:
    if min_value is not None and value < min_value:
        raise CellError(f"不能小于 {min_value}。")
    if max_value is not None and value > max_value:
        raise CellError(f"不能大于 {max_value}。")


def parse_int(
    value: Any, *, min_value: int | None = None, max_value: int | None = None
) -> int | None:
    """A whole number; "12.0" and 12.0 are fine (Excel stores every number as a float)."""
    number = _to_decimal(value, "整数", "“{}”不是整数。")
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(f"应为整数，“{_show(value)}”带有小数。")
    result = int(number)
    _check_bounds(result, min_value, max_value)
    return result


def parse_decimal(
    value: Any,
    *,
    places: int = 2,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
) -> Decimal | None:
    """An exact decimal with ``places`` decimals; "25.5㎡" style area units are dropped."""
    number = _to_decimal(value, "数字", "“{}”不是有效的数字。", units=True)
    if number is None:
        return None
    result = number.quantize(Decimal(1).scaleb(-places), context=_EXACT)
    if result != number:  # never round silently: the user must decide
        raise CellError(f"最多保留 {places} 位小数。")
    if not result:
        result = abs(result)  # "-0" would show as -0.00
    _check_bounds(result, min_value, max_value)
    return result


def _checked_date(year: int, month: int, day: int, raw: Any) -> datetime.date:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise CellError(f"年份 {year} 不在 {_MIN_YEAR} 至 {_MAX_YEAR} 年之间。")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellError(f"“{_show(raw)}”不是有效日期。") from None


def _unrecognized_date(raw: Any) -> CellError:
    return CellError(f"“{_show(raw)}”不是可识别的日期，请写成 2024-03-01 的形式。")


def _date_from_text(raw: Any, text: str) -> datetime.date | None:
    text = _normalized(text)
    if not text:
        return None
    for form in _DATE_FORMS:
        if match := form.fullmatch(text):
            return _checked_date(int(match["y"]), int(match["m"]), int(match["d"]), raw)
    raise _unrecognized_date(raw)


def _date_from_number(value: float) -> datetime.date | None:
    """Excel's day count, 1 = 1900-01-01, including its fictitious 1900-02-29 (serial 60)."""
    if not math.isfinite(value):
        raise _unrecognized_date(value)
    if value == int(value) and 19000101 <= value <= 21001231:  # 20240301 typed as a number
        return _date_from_text(value, str(int(value)))
    if not 1 <= value < 2958466:  # 2958465 is 9999-12-31
        raise _unrecognized_date(value)
    serial = math.floor(value)  # a fraction is the time of day
    if serial == 60:
        raise CellError(f"“{_show(value)}”对应 Excel 中不存在的 1900-02-29，不是有效日期。")
    day = _EXCEL_EPOCH + datetime.timedelta(days=serial + (1 if serial < 60 else 0))
    return _checked_date(day.year, day.month, day.day, value)


def parse_date(value: Any) -> datetime.date | None:
    """A calendar date from a date cell, an Excel serial or the usual Chinese spellings."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("应为日期，不应是逻辑值 TRUE/FALSE。")
    if isinstance(value, datetime.date):  # datetime too; a time of day is dropped
        return _checked_date(value.year, value.month, value.day, value)
    if isinstance(value, int | float):
        return _date_from_number(value)
    if isinstance(value, str):
        return _date_from_text(value, value)
    raise _unrecognized_date(value)


def parse_bool(value: Any) -> bool | None:
    """Yes/no in the spellings people use: 是/否, Y/N, TRUE/FALSE, 1/0, √/×."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        key = _normalized(value).casefold()
        if not key:
            return None
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise CellError(f"“{_show(value)}”应填“是”或“否”。")


def parse_choice(value: Any, choices: Iterable[tuple[str, str]]) -> str | None:
    """The stored value of a choice, given its Chinese label (or the stored value itself)."""
    return choice_parser(choices)(value)


def choice_parser(choices: Iterable[tuple[str, str]]) -> Callable[[Any], str | None]:
    """:func:`parse_choice` for one list of choices, its lookups built once (an import parses
    every row's choice cells with the same few lists)."""
    pairs = [(str(stored), str(label)) for stored, label in choices]
    by_label: dict[str, str] = {}
    by_folded: dict[str, str] = {}
    for stored, label in pairs:
        by_label.setdefault(label, stored)
    for stored, _label in pairs:
        by_folded.setdefault(stored.casefold(), stored)
    labels = "、".join(label for _stored, label in pairs)

    def parse(value: Any) -> str | None:
        if is_blank(value):
            return None
        try:
            text = parse_text(value)
        except CellError:
            text = None
        if text == "":
            return None
        if text is not None:
            if text in by_label:
                return by_label[text]
            folded = by_folded.get(text.casefold())
            if folded is not None:
                return folded
        raise CellError(f"“{_show(value)}”不是可选值；可选：{labels}。")

    return parse
