"""The official workbook (one sheet per table, named by the 12-digit region code), its import,
and the PDFs: a submission with its signer's block, and the receipts (回执)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ..framework import clock
from ..framework.pdf import render_pdf
from ..framework.spreadsheets import defuse
from .choices import ActionKind
from .models import Submission, SubmissionAction
from .selectors import Aggregate
from .services import tables_for

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ("指标代码", "指标名称", "计量单位", "填报值")
FIRST_ROW = 5  # title, unit, period, blank, then the header
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def region_code12(code: str) -> str:
    """The 12-digit statistical region code (6- and 9-digit codes padded with zeros)."""
    return code.ljust(12, "0")


def workbook_name(submission: Submission) -> str:
    code = region_code12(submission.region.code)
    if submission.organization_id:
        return f"{code}-{submission.organization.name}.xlsx"
    return f"{code}.xlsx"


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def submission_workbook(submission: Submission, aggregate: Aggregate | None = None) -> bytes:
    """The submission in the official layout; a bureau's with its own, children's and total
    columns when ``aggregate`` is given."""
    period = submission.period
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for table in tables_for(period.form, submission):
        sheet = book.create_sheet(f"{table.code} {table.name}"[:31])
        sheet.append([f"表{table.code} {table.name}"])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(
            ["填报单位", submission.unit_name, "区划代码", region_code12(submission.region.code)]
        )
        sheet.append(["统计年度", period.year, "统计时点", period.as_of.isoformat()])
        sheet.append([])
        header = list(HEADER)
        if aggregate is not None:
            header += ["下级已接收合计", "汇总数", "登记数据", "差异"]
        sheet.append(header)
        for cell in sheet[FIRST_ROW]:
            cell.font = bold
            cell.fill = fill
        rows = {r["field"].code: r for r in aggregate.rows} if aggregate is not None else {}
        for field in table.fields.all():
            value = submission.values.get(field.code, "")
            if field.kind in ("number", "integer") and value not in ("", None):
                try:
                    value = Decimal(str(value))
                    value = int(value) if field.kind == "integer" else float(value)
                except ArithmeticError:
                    pass
            line: list[Any] = [field.code, field.label, field.unit, defuse(value)]
            if aggregate is not None and field.code in rows:
                r = rows[field.code]
                line += [
                    float(v) if v is not None else ""
                    for v in (r["children"], r["total"], r["registry"], r["difference"])
                ]
            sheet.append(line)
        sheet.column_dimensions["B"].width = 30
        sheet.column_dimensions["D"].width = 18
        for row in sheet.iter_rows(min_row=FIRST_ROW + 1, min_col=4, max_col=4):
            row[0].alignment = Alignment(horizontal="right")
        if table.note:
            sheet.append([])
            sheet.append(["填报说明", table.note])
    sign = book.create_sheet("签批")
    sign.append(["签批领导", submission.signer_name, "职务", submission.signer_title])
    sign.append(["签批时间", _local(submission.signed_at), "内容摘要", submission.content_hash])
    sign.append(["联络人", submission.contact_name, "联络电话", submission.contact_phone])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_workbook(submission: Submission, data: bytes) -> dict[str, str]:
    """The values of a workbook in the official layout (ours or the province's template filled
    by hand): every row whose first cell is a field code of the unit's tables."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError("导入文件不能超过 5 MB。")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a file that is not a workbook
        raise ValidationError("无法读取该文件，请上传由本系统导出的 .xlsx 报表。") from exc
    fields = {
        f.code: f for t in tables_for(submission.period.form, submission) for f in t.fields.all()
    }
    values: dict[str, str] = {}
    for sheet in book.worksheets:
        for row_no, row in enumerate(
            sheet.iter_rows(min_row=FIRST_ROW + 1, values_only=True), start=FIRST_ROW + 1
        ):
            if not row or row[0] is None:
                continue
            code = str(row[0]).strip()
            if code not in fields:
                continue
            value = row[3] if len(row) > 3 else None
            if isinstance(value, float) and value.is_integer() and fields[code].kind == "integer":
                value = int(value)
            text = "" if value is None else str(value).strip().lstrip("'")
            if len(text) > 200:
                raise ValidationError(f"工作表“{sheet.title}”第 {row_no} 行（{code}）内容过长。")
            values[code] = text
    book.close()
    if not values:
        raise ValidationError("文件中没有找到本报表的指标（第一列应为指标代码，如 B02）。")
    return values


def submission_pdf(submission: Submission, aggregate: Aggregate | None = None) -> bytes:
    tables = [
        {"table": t, "fields": [(f, submission.values.get(f.code, "")) for f in t.fields.all()]}
        for t in tables_for(submission.period.form, submission)
    ]
    return render_pdf(
        "reporting/submission_pdf.html",
        {
            "submission": submission,
            "tables": tables,
            "aggregate": aggregate,
            "code12": region_code12(submission.region.code),
            "signed_at": _local(submission.signed_at),
            "printed_at": _local(clock.now()),
        },
    )


RECEIPT_ACTIONS = frozenset(
    {ActionKind.SUBMIT, ActionKind.RECEIVE, ActionKind.ACCEPT, ActionKind.RETURN}
)


def receipt_pdf(submission: Submission, action: SubmissionAction) -> bytes:
    """The receipt (回执) of a submission or of the decision on it."""
    if action.submission_id != submission.pk or action.action not in RECEIPT_ACTIONS:
        raise ValueError("receipts are given for submissions and decisions only")
    is_submission = action.action in (ActionKind.SUBMIT, ActionKind.RECEIVE)
    return render_pdf(
        "reporting/receipt_pdf.html",
        {
            "submission": submission,
            "action": action,
            "heading": "报送回执"
            if is_submission
            else "接收回执"
            if action.action == ActionKind.ACCEPT
            else "退回通知",
            "number": f"TJ{submission.period.year}-{submission.pk}-{action.pk}",
            "at": _local(action.at),
            "actor": (getattr(action.actor, "name", "") or action.actor.username)
            if action.actor
            else "系统",
            "code12": region_code12(submission.region.code),
            "printed_at": _local(clock.now()),
        },
    )
