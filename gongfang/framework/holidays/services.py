"""Writes of the holiday calendar: years and days through the generic services; announcing a year;
importing a year's days from a small spreadsheet, all rows or none."""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import CalendarDay, CalendarDayKind, HolidayYear, HolidayYearState
from ..services import ObjectService, register, service_for


@register
class HolidayYearService(ObjectService):
    model = HolidayYear


@register
class CalendarDayService(ObjectService):
    model = CalendarDay


def announce_year(
    *,
    actor,
    year: HolidayYear,
    source: str,
    announced_on: datetime.date,
    expected_version: int | None = None,
) -> HolidayYear:
    """Mark ``year`` announced with the notice it comes from: from now on its days count."""
    data = {"state": HolidayYearState.ANNOUNCED, "source": source, "announced_on": announced_on}
    service_for(HolidayYear).update(
        actor=actor, instance=year, data=data, expected_version=expected_version
    )
    return year


# Import ------------------------------------------------------------------------------------------
KIND_WORDS = {
    "法定节假日": CalendarDayKind.HOLIDAY,
    "节假日": CalendarDayKind.HOLIDAY,
    "假日": CalendarDayKind.HOLIDAY,
    "放假": CalendarDayKind.HOLIDAY,
    "休": CalendarDayKind.HOLIDAY,
    "holiday": CalendarDayKind.HOLIDAY,
    "调休上班": CalendarDayKind.MAKEUP_WORKDAY,
    "调休": CalendarDayKind.MAKEUP_WORKDAY,
    "上班": CalendarDayKind.MAKEUP_WORKDAY,
    "班": CalendarDayKind.MAKEUP_WORKDAY,
    "makeup_workday": CalendarDayKind.MAKEUP_WORKDAY,
}
DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
MAX_ROWS = 400
MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ImportRow:
    number: int  # the row's number in the file, as the spreadsheet shows it
    date: datetime.date
    kind: str
    name: str


def read_rows(data: bytes, filename: str) -> list[tuple[int, list[object]]]:
    """The file's non-empty rows as (row number, cells): an .xlsx (first sheet) or a CSV."""
    if len(data) > MAX_BYTES:
        raise ValidationError("文件超过 1 MB，节假日安排的表格不应这么大。")
    if filename.lower().endswith(".xlsx"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ValidationError("无法读取该 Excel 文件，请确认是 .xlsx 格式。") from exc
        rows = enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
    elif filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise ValidationError("无法识别该 CSV 文件的编码，请另存为 UTF-8。") from exc
        rows = enumerate(csv.reader(io.StringIO(text)), start=1)
    else:
        raise ValidationError("只能导入 .xlsx 或 .csv 文件。")
    result = []
    for number, cells in rows:
        values = [c.strip() if isinstance(c, str) else c for c in (cells or ())]
        if any(v not in (None, "") for v in values):
            result.append((number, values))
        if len(result) > MAX_ROWS:
            raise ValidationError(f"文件超过 {MAX_ROWS} 行，一年的节假日安排不会这么多。")
    return result


def _parse_date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = DATE_PATTERN.match(str(value or "").strip())
    if match is None:
        return None
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_rows(year: int, rows: list[tuple[int, list[object]]]) -> list[ImportRow]:
    """Rows of (日期, 类型, 节日) checked one by one; every fault named by its row number."""
    errors: list[str] = []
    parsed: list[ImportRow] = []
    seen: dict[datetime.date, int] = {}
    if rows and str(rows[0][1][0] or "").strip() in ("日期", "date"):
        rows = rows[1:]  # the header row
    if not rows:
        raise ValidationError("文件中没有数据行（每行依次为：日期、类型、节日名称）。")
    for number, cells in rows:
        raw_date, raw_kind, raw_name = [*cells, None, None, None][:3]
        day = _parse_date(raw_date)
        kind = KIND_WORDS.get(str(raw_kind or "").strip())
        name = str(raw_name or "").strip()
        problems = []
        if day is None:
            problems.append(f"日期“{raw_date or ''}”无法识别（应如 {year}-01-01）")
        elif day.year != year:
            problems.append(f"日期 {day:%Y-%m-%d} 不在{year}年内")
        elif day in seen:
            problems.append(f"日期 {day:%Y-%m-%d} 与第 {seen[day]} 行重复")
        if kind is None:
            problems.append(f"类型“{raw_kind or ''}”应为“法定节假日”或“调休上班”")
        elif day is not None and kind == CalendarDayKind.MAKEUP_WORKDAY and day.weekday() < 5:
            problems.append(f"{day:%Y-%m-%d} 不是周六或周日，不能是调休上班日")
        if len(name) > 60:
            problems.append("节日名称超过 60 个字")
        if problems:
            errors.append(f"第 {number} 行：{'；'.join(problems)}。")
            continue
        seen[day] = number
        parsed.append(ImportRow(number, day, kind, name))
    if errors:
        raise ValidationError(errors)
    return parsed


def import_days(
    *, actor, year: HolidayYear, data: bytes, filename: str, replace: bool = False
) -> dict[str, int]:
    """Write a year's days from a spreadsheet (日期, 类型, 节日): new dates added, existing ones
    changed, and with ``replace`` the year's days missing from the file deleted. One transaction:
    any faulty row and nothing is written. Returns the counts added, changed and deleted."""
    rows = parse_rows(year.year, read_rows(data, filename))
    service = service_for(CalendarDay)
    counts = {"added": 0, "changed": 0, "deleted": 0}
    with transaction.atomic():
        existing = {d.date: d for d in CalendarDay.objects.select_for_update().filter(year=year)}
        for row in rows:
            day = existing.pop(row.date, None)
            try:
                if day is None:
                    values = {"year": year, "date": row.date, "kind": row.kind, "name": row.name}
                    service.create(actor=actor, data=values)
                    counts["added"] += 1
                elif (day.kind, day.name) != (row.kind, row.name):
                    service.update(
                        actor=actor, instance=day, data={"kind": row.kind, "name": row.name}
                    )
                    counts["changed"] += 1
            except ValidationError as exc:
                raise ValidationError(f"第 {row.number} 行：{'；'.join(exc.messages)}") from exc
        if replace:
            for day in existing.values():
                service.delete(actor=actor, instance=day)
                counts["deleted"] += 1
    return counts
