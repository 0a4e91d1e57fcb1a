"""Reports of an inspection and of a plan: findings counted by aspect, by unit and by state, the
items still open, as a page card with charts (each bar opens the findings list filtered) and as
a PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from ..framework import clock
from ..framework.pdf import render_pdf
from .choices import FindingState
from .findings import UNFINISHED, overdue_q
from .models import Finding, Inspection, InspectionPlan

STATE_COLORS = {
    FindingState.OPEN: "#d63939",
    FindingState.RESPONDED: "#f59f00",
    FindingState.CLOSED: "#2fb344",
    FindingState.REOPENED: "#f76707",
    FindingState.REFERRED: "#ae3ec9",
}


@dataclass
class Row:
    label: str
    total: int
    unfinished: int
    params: dict = field(default_factory=dict)  # the findings-list filter of this row


@dataclass
class Report:
    title: str
    subtitle: str
    base: dict  # the filter every row adds to (plan=… or inspection=…)
    total: int = 0
    unfinished: int = 0
    overdue: int = 0
    by_state: list[Row] = field(default_factory=list)
    by_aspect: list[Row] = field(default_factory=list)
    by_unit: list[Row] = field(default_factory=list)
    open_items: list[Finding] = field(default_factory=list)


def plan_findings(user, plan: InspectionPlan) -> QuerySet[Finding]:
    return Finding.objects.restrict(user, "view").filter(inspection__plan=plan)


def inspection_findings(user, inspection: Inspection) -> QuerySet[Finding]:
    return Finding.objects.restrict(user, "view").filter(inspection=inspection)


def build_report(findings: QuerySet[Finding], *, title: str, subtitle: str, base: dict) -> Report:
    """Counts of ``findings`` (already scoped) and the open items, oldest deadline first."""
    today = clock.today()
    unfinished_q = Q(state__in=UNFINISHED)
    report = Report(title=title, subtitle=subtitle, base=base)
    totals = findings.aggregate(
        total=Count("pk"),
        unfinished=Count("pk", filter=unfinished_q),
        overdue=Count("pk", filter=overdue_q(today)),
    )
    report.total, report.unfinished, report.overdue = (
        totals["total"],
        totals["unfinished"],
        totals["overdue"],
    )
    states = dict(findings.values_list("state").annotate(n=Count("pk")))
    report.by_state = [
        Row(
            label,
            states.get(code, 0),
            states.get(code, 0) if code in UNFINISHED else 0,
            {"state": code},
        )
        for code, label in FindingState.choices
    ]
    aspects = (
        findings.values("item", "item__target", "item__aspect", "item__title")
        .annotate(total=Count("pk"), unfinished=Count("pk", filter=unfinished_q))
        .order_by("item__target", "item__aspect")
    )
    for row in aspects:
        if row["item"] is None:
            report.by_aspect.append(
                Row("未对应检查内容", row["total"], row["unfinished"], {"no_item": "true"})
            )
            continue
        prefix = "单位" if row["item__target"] == "organization" else "领导"
        label = f"{prefix}{row['item__aspect']}：{row['item__title']}"
        report.by_aspect.append(Row(label, row["total"], row["unfinished"], {"item": row["item"]}))
    units = (
        findings.values("organization", "organization__name")
        .annotate(total=Count("pk"), unfinished=Count("pk", filter=unfinished_q))
        .order_by("-total", "organization__name")
    )
    report.by_unit = [
        Row(
            u["organization__name"],
            u["total"],
            u["unfinished"],
            {"organization": u["organization"]},
        )
        for u in units
    ]
    report.open_items = list(
        findings.filter(unfinished_q)
        .select_related("organization", "item")
        .order_by("deadline", "created_at", "pk")
    )
    return report


def plan_report(user, plan: InspectionPlan) -> Report:
    return build_report(
        plan_findings(user, plan),
        title=f"{plan.title} 督查问题报告",
        subtitle=f"{plan.year} 年 · {plan.get_kind_display()} · {plan.start_on:%Y-%m-%d} 至 {plan.end_on:%Y-%m-%d}",
        base={"plan": plan.pk},
    )


def inspection_report(user, inspection: Inspection) -> Report:
    plan = inspection.plan
    when = f"{inspection.scheduled_on:%Y-%m-%d}" if inspection.scheduled_on else "日期未定"
    return build_report(
        inspection_findings(user, inspection),
        title=f"{inspection.organization} 督查问题报告",
        subtitle=f"{plan.title} · 检查日期 {when} · {inspection.get_state_display()}",
        base={"inspection": inspection.pk},
    )


def list_url(base: dict, params: dict) -> str:
    return reverse("inspections:finding_list") + "?" + urlencode({**base, **params})


def bar_spec(rows: list[Row], base: dict, *, horizontal: bool = False) -> dict:
    """An ECharts bar chart of ``rows`` (total and still open); a bar opens the findings list
    filtered to it."""
    labels = [r.label for r in rows]
    category = {"type": "category", "data": labels, "axisLabel": {"interval": 0}}
    value = {"type": "value", "minInterval": 1}
    if horizontal:
        category["inverse"] = True
        category["axisLabel"] = {"width": 150, "overflow": "truncate"}
    urls = [list_url(base, r.params) for r in rows]
    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": ["问题数", "未销号"]},
            "grid": {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True},
            "xAxis": value if horizontal else category,
            "yAxis": category if horizontal else value,
            "series": [
                {"name": "问题数", "type": "bar", "data": [r.total for r in rows]},
                {"name": "未销号", "type": "bar", "data": [r.unfinished for r in rows]},
            ],
        },
        "links": {
            "0": urls,
            "1": [list_url(base, {**r.params, "unfinished": "true"}) for r in rows],
        },
    }


def state_spec(rows: list[Row], base: dict) -> dict:
    data = [
        {"name": r.label, "value": r.total, "itemStyle": {"color": STATE_COLORS[r.params["state"]]}}
        for r in rows
    ]
    return {
        "option": {
            "tooltip": {"trigger": "item", "formatter": "{b}：{c}（{d}%）"},
            "legend": {"bottom": 0},
            "series": [{"type": "pie", "radius": ["40%", "70%"], "data": data}],
        },
        "links": {"0": [list_url(base, r.params) for r in rows]},
    }


def plan_charts(report: Report) -> list[dict]:
    """The plan page's three charts: by aspect, by unit, by state."""
    charts = []
    if report.by_aspect:
        charts.append(
            {
                "chart_id": "findings-by-aspect",
                "title": "问题按检查内容",
                "spec": bar_spec(report.by_aspect, report.base, horizontal=True),
                "height": max(220, 34 * len(report.by_aspect) + 60),
            }
        )
    if report.by_unit:
        charts.append(
            {
                "chart_id": "findings-by-unit",
                "title": "问题按单位",
                "spec": bar_spec(report.by_unit[:15], report.base, horizontal=True),
                "height": max(220, 34 * min(len(report.by_unit), 15) + 60),
            }
        )
    if report.total:
        charts.append(
            {
                "chart_id": "findings-by-state",
                "title": "问题按状态",
                "spec": state_spec([r for r in report.by_state if r.total], report.base),
                "height": 280,
            }
        )
    return charts


def render_report_pdf(report: Report) -> bytes:
    return render_pdf(
        "inspections/report_pdf.html",
        {"report": report, "generated_at": timezone.localtime(), "today": clock.today()},
    )
