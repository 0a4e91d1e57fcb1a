"""Ledger exports: rows of a sheet from the database in exactly the layout the importer reads,
as .xlsx (one sheet per model) or .csv (one model), plus the blank templates.

Values are written as the importer parses them: choices by their Chinese label, references by
natural key, areas as numbers, dates as dates. In .xlsx a text that looks like a formula is
stored as text; in .csv it gets the leading apostrophe the importer drops again.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..framework import masking
from ..framework.changelog import record_event
from ..framework.spreadsheets import defuse, printable
from .importer import GUIDE_TITLE, OPTIONS_TITLE
from .specs import KIND_LABELS, SHEETS, Column, Kind, Sheet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
SAMPLE_FONT = Font(italic=True, color="808080")
DATE_FORMAT = "yyyy-mm-dd"


def _paths(column: Column) -> list[str]:
    if column.kind is Kind.ORG:
        return [f"{column.path}__uscc", f"{column.path}__name"]
    return [column.path]


def export_rows(sheet: Sheet, queryset: models.QuerySet, *, actor) -> Iterator[list[Any]]:
    """The rows of ``queryset`` as cell values, in the sheet's column order."""
    paths = [p for c in sheet.columns for p in _paths(c)]
    personal = masking.personal_fields(sheet.model)
    full = masking.sees_full(actor, sheet.model, masking.Where.LEDGER)
    values = queryset.order_by(*sheet.order_by, "pk").values_list(*paths)
    for record in values.iterator(chunk_size=2000):
        out = []
        i = 0
        for column in sheet.columns:
            if column.kind is Kind.ORG:
                code, name = record[i], record[i + 1]
                out.append(code or name or "")
                i += 2
                continue
            value = record[i]
            i += 1
            if column.field in personal and not full:
                value = masking.mask(personal[column.field], value)
            out.append(_cell_value(column, value))
        yield out


def _cell_value(column: Column, value: Any) -> Any:
    if value is None:
        return ""
    if column.kind is Kind.CHOICE:
        return dict(column.choices).get(value, value)
    if column.kind is Kind.BOOL:
        return "是" if value else "否"
    return value


def sheet_queryset(sheet: Sheet, actor) -> models.QuerySet:
    return sheet.model.objects.restrict(actor, "view")


# .xlsx ----------------------------------------------------------------------------------------
def _write_cell(ws, value: Any) -> Any:
    """Plain values as they are (fast); a date gets a date format, a text that starts with "="
    is marked as text so it is never a formula, control characters (which an .xlsx cannot hold)
    are dropped."""
    if isinstance(value, str):
        value = printable(value)
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def write_xlsx(sheets: Iterable[tuple[Sheet, Iterable[list[Any]]]]) -> bytes:
    """A workbook with one sheet per model (write-only: memory stays flat for a whole city)."""
    wb = Workbook(write_only=True)
    for sheet, rows in sheets:
        ws = wb.create_sheet(sheet.title)
        ws.freeze_panes = "A2"
        ws.append([_bold(ws, column.header) for column in sheet.columns])
        for row in rows:
            ws.append([_write_cell(ws, v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# .csv -----------------------------------------------------------------------------------------
def _csv_value(column: Column, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    return defuse(text) if column.kind in (Kind.TEXT, Kind.ORG) else text


def write_csv(sheet: Sheet, rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.headers)
    for row in rows:
        writer.writerow([_csv_value(c, v) for c, v in zip(sheet.columns, row, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# Audited exports ------------------------------------------------------------------------------
def export_sheet(*, actor, sheet: Sheet, queryset, fmt: str, filters: dict) -> bytes:
    """One model's rows (a list page's filtered rows), audited as ``ledger.export``."""
    with transaction.atomic():
        count = queryset.count()
        record_event(
            actor=actor,
            event="ledger.export",
            data={"sheet": sheet.title, "format": fmt, "rows": count, "filters": filters},
        )
    rows = export_rows(sheet, queryset, actor=actor)
    return write_xlsx([(sheet, rows)]) if fmt == "xlsx" else write_csv(sheet, rows)


def export_ledger(*, actor) -> bytes:
    """Every sheet of the ledger within ``actor``'s scope, in dependency order."""
    querysets = [(s, sheet_queryset(s, actor)) for s in SHEETS]
    with transaction.atomic():
        counts = {s.title: qs.count() for s, qs in querysets}
        record_event(
            actor=actor,
            event="ledger.export",
            data={"sheet": "全部台账", "format": "xlsx", "rows": counts},
        )
    return write_xlsx((s, export_rows(s, qs, actor=actor)) for s, qs in querysets)


# Error lists ---------------------------------------------------------------------------------
ERROR_HEADERS = ("工作表", "行", "列", "问题")


def write_errors(errors: Iterable[dict]) -> bytes:
    """A batch's errors as a workbook, to work through next to the file being corrected."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误清单")
    ws.append([_bold(ws, h) for h in ERROR_HEADERS])
    for e in errors:
        ws.append([_write_cell(ws, e.get(k) or "") for k in ("sheet", "row", "column", "message")])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _bold(ws, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.font = HEADER_FONT
    return cell


# Templates ------------------------------------------------------------------------------------
def write_template(sheets: Iterable[Sheet]) -> bytes:
    """Blank workbook: headers (required ones marked * and shaded), one sample row, dropdowns
    for choice columns, and a 填写说明 sheet explaining every column."""
    sheets = list(sheets)
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE_TITLE
    _write_guide(guide, sheets)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title)
        required = set(sheet.required_headers)
        for col, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(
                row=1, column=col, value=column.header + ("*" if column.header in required else "")
            )
            cell.font = HEADER_FONT
            if column.header in required:
                cell.fill = REQUIRED_FILL
            if column.help:
                cell.comment = Comment(column.help, "公房")
            sample = ws.cell(row=2, column=col, value=column.example)
            sample.font = SAMPLE_FONT
            if isinstance(column.example, datetime.date):
                sample.number_format = DATE_FORMAT
            ws.column_dimensions[get_column_letter(col)].width = max(12, len(column.header) * 2 + 4)
            if column.kind in (Kind.CHOICE, Kind.BOOL):
                _add_dropdown(wb, ws, column, col)
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _add_dropdown(wb: Workbook, ws, column: Column, col: int) -> None:
    labels = ["是", "否"] if column.kind is Kind.BOOL else column.choice_labels
    formula = '"' + ",".join(labels) + '"'
    if len(formula) > 255:  # Excel's limit for an inline list: keep the list on a hidden sheet
        lists = (
            wb[OPTIONS_TITLE] if OPTIONS_TITLE in wb.sheetnames else wb.create_sheet(OPTIONS_TITLE)
        )
        lists.sheet_state = "hidden"
        at = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value else 1
        for i, label in enumerate(labels, start=1):
            lists.cell(row=i, column=at, value=label)
        letter = get_column_letter(at)
        formula = f"'{OPTIONS_TITLE}'!${letter}$1:${letter}${len(labels)}"
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = f"请从下拉列表中选择“{column.header}”。"
    validation.errorTitle = "输入有误"
    letter = get_column_letter(col)
    validation.add(f"{letter}2:{letter}100000")
    ws.add_data_validation(validation)


def _write_guide(ws, sheets: list[Sheet]) -> None:
    ws.append(
        [
            "填写说明：每张工作表第 1 行为列名（带 * 的为必填），第 2 行为示例（与示例完全相同的行导入时会跳过，可直接覆盖填写）。引用其他对象时填写其标识（统一社会信用代码、区划代码、院落/楼座名称、楼层号、房间号、人员编号），而不是系统编号。导入前请删除公式、取消合并单元格。"
        ]
    )
    ws.append([])
    ws.append(["工作表", "列名", "必填", "填写方式", "说明", "可选值", "示例"])
    for cell in ws[3]:
        cell.font = HEADER_FONT
    for sheet in sheets:
        required = set(sheet.required_headers)
        ws.append([sheet.title, "", "", "", sheet.description, "", ""])
        ws.cell(row=ws.max_row, column=1).font = HEADER_FONT
        keys = "、".join(sheet.natural_key)
        ws.append(
            [
                sheet.title,
                "（唯一标识）",
                "",
                "",
                f"按“{keys}”识别已有记录：已有则更新（或在“仅新增”方式下保留），没有则新建。",
                "",
                "",
            ]
        )
        for column in sheet.columns:
            choices = "、".join(column.choice_labels) if column.kind is Kind.CHOICE else ""
            if column.kind is Kind.BOOL:
                choices = "是、否"
            example = (
                column.example.isoformat()
                if isinstance(column.example, datetime.date)
                else column.example
            )
            ws.append(
                [
                    sheet.title,
                    column.header,
                    "是" if column.header in required else "",
                    KIND_LABELS[column.kind],
                    column.help,
                    choices,
                    str(example) if example != "" else "",
                ]
            )
    for letter, width in zip("ABCDEFG", (12, 18, 6, 28, 50, 40, 20), strict=True):
        ws.column_dimensions[letter].width = width
