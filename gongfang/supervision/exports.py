"""The monthly export for the discipline commission: the month's findings with their figures, and
a summary by organization and rule (Excel, Chinese headers, local times). The same file is the
anomaly list's export, so any filter of the list (a unit, a rule, a state) applies to it."""

from __future__ import annotations

import io
from collections import Counter
from urllib.parse import quote

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from ..framework.changelog import record_event
from ..framework.exports import LIST_EXPORT_EVENT, XLSX_TYPE, Exporter, register_exporter
from ..framework.filtersets import applied_filters
from ..framework.spreadsheets import defuse
from .models import Anomaly
from .rules import Rule

TITLE = "公务用车异常线索"
HEADERS = (
    "编号",
    "所属单位",
    "所在区划",
    "车牌号",
    "规则",
    "发生时间",
    "情况",
    "判断依据",
    "状态",
    "说明或理由",
    "处理人",
    "处理时间",
    "发现时间",
)


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def rows(queryset):
    for a in queryset.select_related("organization", "region", "vehicle", "decided_by").order_by(
        "organization__name", "occurred_at", "pk"
    ):
        yield [
            a.pk,
            defuse(a.organization.name),
            defuse(a.region.name),
            defuse(a.vehicle.plate),
            a.get_rule_display(),
            _time(a.occurred_at),
            defuse(a.summary),
            defuse("\n".join(a.lines)),
            a.get_state_display(),
            defuse(a.reason),
            defuse(
                getattr(a.decided_by, "name", "") or getattr(a.decided_by, "username", "") or ""
            ),
            _time(a.decided_at),
            _time(a.found_at),
        ]


def workbook(queryset) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "异常线索"
    sheet.append(HEADERS)
    counts: Counter = Counter()
    for row in rows(queryset):
        sheet.append(row)
        counts[(row[1], row[4])] += 1
    for column, width in zip(
        "ABCDEFGHIJKLM", (8, 28, 12, 12, 22, 17, 36, 60, 12, 30, 10, 17, 17), strict=True
    ):
        sheet.column_dimensions[column].width = width
    summary = book.create_sheet("按单位汇总")
    labels = [label for _, label in Rule.choices]
    summary.append(["所属单位", *labels, "合计"])
    for org in sorted({org for org, _ in counts}):
        line = [counts[(org, label)] for label in labels]
        summary.append([org, *line, sum(line)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(request, filterset, fmt: str) -> HttpResponse:
    queryset = filterset.qs
    month = filterset.form.cleaned_data.get("month") or ""
    with transaction.atomic():
        record_event(
            actor=request.user,
            event=LIST_EXPORT_EVENT,
            data={
                "list": TITLE,
                "format": fmt,
                "rows": queryset.count(),
                "filters": applied_filters(filterset),
            },
        )
    name = f"{TITLE}-{month or timezone.localtime().strftime('%Y%m%d-%H%M')}.xlsx"
    response = HttpResponse(workbook(queryset), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def register() -> None:
    register_exporter(Anomaly, Exporter((("xlsx", "Excel .xlsx（报送纪检）"),), render))
