"""The difference analysis page (差异对比分析): a scope's figures as of two dates, each change
by its cause, with the rooms and cases behind it.

Reached from a period (``?period=<id>``: its 统计时点 against the previous year's period, or the
same day a year before when there is none) or directly with a unit or region and two dates.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views import View

from ..framework import clock
from ..framework.text import is_number
from ..registry.asof import end_of_day
from ..registry.models import Organization, Region
from . import differences as d
from .models import ReportPeriod
from .selectors import visible_periods

CAUSE_COLORS = {
    d.SUBJECT: "#6574cd",
    d.ALLOCATION: "#206bc4",
    d.CHANGE_OF_USE: "#f59f00",
    d.CORRECTION: "#d63939",
    d.DISPOSAL: "#2fb344",
}
# Objects listed under one cause of one row; the rest are counted.
SHOWN_OBJECTS = 50
UNITS_PER_PAGE = 50


def year_before(day: datetime.date) -> datetime.date:
    """The same day a year earlier (29 February: the 28th)."""
    return day.replace(year=day.year - 1, day=min(day.day, 28 if day.month == 2 else day.day))


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _one(queryset, raw):
    if raw in (None, ""):
        return None
    if not is_number(str(raw)):
        raise Http404("参数无效。")
    found = queryset.filter(pk=int(raw)).first()
    if found is None:
        raise Http404("没有找到该单位或区划。")
    return found


def previous_period(period: ReportPeriod) -> ReportPeriod | None:
    return (
        ReportPeriod.objects.filter(region=period.region, form__name=period.form.name)
        .filter(year__lt=period.year)
        .order_by("-year")
        .first()
    )


class DifferenceView(LoginRequiredMixin, View):
    """``reporting:differences``."""

    def get(self, request):
        user, params = request.user, request.GET
        period = _one(visible_periods(user), params.get("period"))
        previous = previous_period(period) if period else None
        scope = _one(Organization.objects.restrict(user, "view"), params.get("unit")) or _one(
            Region.objects.restrict(user, "view"), params.get("region")
        )
        if scope is None:
            scope = user.scope_organization or user.scope_region
            if period is not None and user.scope_region is not None:
                scope = period.region
        if scope is None:
            raise Http404("账号没有管辖范围。")
        today = clock.today()
        after = _date(params.get("after")) or (period.as_of if period else today)
        before = _date(params.get("before")) or (previous.as_of if previous else year_before(after))
        error = ""
        if before >= after:
            error = "比较的起始日期须早于截止日期。"
        field = params.get("field") or d.AREA
        if field not in d.FIELD_LABELS:
            field = d.AREA
        analysis = (
            None
            if error
            else d.analyse(scope=scope, before=end_of_day(before), after=end_of_day(after))
        )
        rows = [r for r in analysis.rows if r.field == field] if analysis else []
        page = Paginator(rows, UNITS_PER_PAGE).get_page(params.get("page"))
        keep = params.copy()
        keep.pop("page", None)
        return render(
            request,
            "reporting/differences.html",
            {
                "period": period,
                "previous": previous,
                "scope": scope,
                "scope_kind": "unit" if isinstance(scope, Organization) else "region",
                "before": before,
                "after": after,
                "error": error,
                "field": field,
                "fields": d.FIELDS,
                "causes": d.CAUSES,
                "rows": [_row(r) for r in page.object_list],
                "page": page,
                "keep": keep.urlencode(),
                "totals": _totals(rows),
                "unit_changes": _unit_changes(analysis),
                "chart": _chart(rows, d.FIELD_LABELS[field]),
            },
        )


def _row(row: d.DifferenceRow) -> dict:
    causes = []
    for cause in d.CAUSES:
        objects = row.causes.get(cause, [])
        causes.append(
            {
                "cause": cause,
                "total": row.cause_total(cause) if objects else None,
                "objects": objects[:SHOWN_OBJECTS],
                "more": max(0, len(objects) - SHOWN_OBJECTS),
            }
        )
    summary = "；".join(f"{c['cause']} {c['total']:.2f}" for c in causes if c["objects"])
    return {"row": row, "causes": causes, "summary": summary}


def _totals(rows: list[d.DifferenceRow]) -> list[tuple[str, object]]:
    return [(c, sum((r.cause_total(c) for r in rows), 0)) for c in d.CAUSES]


def _unit_changes(analysis) -> list[tuple[str, str]]:
    if analysis is None:
        return []
    return sorted((analysis.units[i], how) for i, how in analysis.unit_changes.items())


def _chart(rows: list[d.DifferenceRow], label: str) -> dict:
    totals = _totals(rows)
    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 60, "right": 20, "top": 30, "bottom": 30},
            "xAxis": {"type": "category", "data": [c for c, _ in totals]},
            "yAxis": {"type": "value", "name": label},
            "series": [
                {
                    "type": "bar",
                    "name": "变动",
                    "data": [
                        {"value": float(v), "itemStyle": {"color": CAUSE_COLORS[c]}}
                        for c, v in totals
                    ],
                }
            ],
        }
    }
