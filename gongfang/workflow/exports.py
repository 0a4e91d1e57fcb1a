"""The case list's export: the filtered cases as Excel or CSV (framework.exports), one row per
case with its labels, local times and the overdue flag, audited as ``case.export``."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from ..framework import clock
from ..framework.changelog import record_event
from ..framework.exports import Exporter, register_exporter
from ..framework.filtersets import applied_filters
from ..framework.spreadsheets import defuse
from .models import Case
from .tables import is_overdue

FORMATS = (("xlsx", "Excel .xlsx"), ("csv", "CSV"))
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
HEADERS = (
    "文号",
    "事项类型",
    "事由",
    "申请单位",
    "对方单位",
    "所在区划",
    "状态",
    "是否逾期",
    "办理期限",
    "提交时间",
    "办结时间",
    "生效日期",
    "创建时间",
)


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _date(value) -> str:
    return value.isoformat() if value else ""


def case_rows(queryset):
    """Each case as the cells of one row (text a spreadsheet would run is defused)."""
    today = clock.today()
    rows = queryset.select_related("applicant", "counterparty", "region").order_by("pk")
    for case in rows.iterator(chunk_size=1000):
        yield [
            defuse(value)
            for value in (
                case.number or "（未编号）",
                case.get_kind_display(),
                case.title,
                case.applicant.name,
                case.counterparty.name if case.counterparty_id else "",
                case.region.name if case.region_id else "",
                case.get_state_display(),
                "是" if is_overdue(case, today) else "否",
                _date(case.deadline),
                _time(case.submitted_at),
                _time(case.decided_at),
                _date(case.effective_on),
                _time(case.created_at),
            )
        ]


def export_cases(*, actor, queryset, fmt: str, filters: dict) -> bytes:
    """The cases of ``queryset`` (already restricted to ``actor``'s scope) as a file."""
    with transaction.atomic():
        record_event(
            actor=actor,
            event="case.export",
            data={"format": fmt, "rows": queryset.count(), "filters": filters},
        )
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet("审批事项")
        sheet.append(list(HEADERS))
        for row in case_rows(queryset):
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(case_rows(queryset))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_case_export(request, filterset, fmt: str) -> HttpResponse:
    content = export_cases(
        actor=request.user, queryset=filterset.qs, fmt=fmt, filters=applied_filters(filterset)
    )
    name = f"审批事项-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{fmt}"
    response = HttpResponse(content, content_type=XLSX_TYPE if fmt == "xlsx" else CSV_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def register() -> None:
    register_exporter(Case, Exporter(FORMATS, render_case_export))
