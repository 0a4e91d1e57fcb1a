"""The dashboard's charts (ECharts through framework/chart.html): room area by category and by
the breakdown's sub-regions or sub-units, open warnings by rule and by month found, and
over-standard area by organization. Every bar, slice and point links to the list it sums up,
filtered by the list's own filterset parameters; every figure comes from the account's scope
(the registry's dashboard and :func:`.selectors.dashboard_warnings`, both restricted).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse

from ..framework import clock
from .models import ACTIVE_STATES, Warning

MONTHS = 12
PALETTE = ["#206bc4", "#2fb344", "#f59f00", "#d63939", "#ae3ec9", "#17a2b8", "#74b816", "#667382"]


def _float(value: Decimal | int | None) -> float:
    return float(value or 0)


def _bar(
    labels: list[str], values: list[float], unit: str, *, colour: str, horizontal: bool = False
) -> dict:
    category = {"type": "category", "data": labels, "axisLabel": {"interval": 0}}
    value = {"type": "value", "name": unit}
    if unit == "项":
        value["minInterval"] = 1  # counts: no 0.2 of a warning on the axis
    if horizontal:
        category["inverse"] = True
        category["axisLabel"] = {"width": 110, "overflow": "truncate"}
    else:
        category["axisLabel"] = {"interval": 0, "rotate": 30 if len(labels) > 5 else 0}
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 16, "top": 30, "bottom": 8, "containLabel": True},
        "xAxis": value if horizontal else category,
        "yAxis": category if horizontal else value,
        "series": [
            {"type": "bar", "data": values, "barMaxWidth": 40, "itemStyle": {"color": colour}}
        ],
    }


def area_by_category(board) -> dict | None:
    rows = [c for c in board.categories if c["count"]]
    if not rows:
        return None
    room_list = reverse("registry:room_list")
    return {
        "option": {
            "tooltip": {"trigger": "item", "formatter": "{b}：{c} m²（{d}%）"},
            "legend": {"bottom": 0, "type": "scroll"},
            "color": PALETTE,
            "series": [
                {
                    "type": "pie",
                    "radius": ["35%", "65%"],
                    "center": ["50%", "45%"],
                    "data": [{"name": c["label"], "value": _float(c["area"])} for c in rows],
                    "label": {"formatter": "{b}\n{d}%"},
                }
            ],
        },
        "links": {"0": [f"{room_list}?{board.list_query}&category={c['code']}" for c in rows]},
    }


def area_by_child(board) -> dict | None:
    rows = [r for r in board.rows if r.figures.room_usable_area]
    if not rows:
        return None
    room_list = reverse("registry:room_list")
    option = _bar(
        [r.label for r in rows],
        [_float(r.figures.room_usable_area) for r in rows],
        "m²",
        colour=PALETTE[0],
        horizontal=len(rows) > 8,
    )
    links = [f"{room_list}?{r.list_query}" if r.list_query else r.url for r in rows]
    return {"option": option, "links": {"0": links}}


def warnings_by_rule(warnings) -> dict | None:
    if not warnings.by_rule:
        return None
    option = _bar(
        [r.label for r in warnings.by_rule],
        [r.count for r in warnings.by_rule],
        "项",
        colour=PALETTE[3],
        horizontal=True,
    )
    return {"option": option, "links": {"0": [r.url for r in warnings.by_rule]}}


def _month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def warnings_by_month(user, board, query: dict[str, str]) -> dict | None:
    """Warnings first found in each of the last twelve months (of the dashboard's node), and how
    many of them are still open; a point opens the warning list of that month."""
    today = clock.today()
    first = (today.replace(day=1) - datetime.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    rows = Warning.objects.restrict(user)
    if board.mode == "region":
        rows = rows.filter(region__path__startswith=board.current.path)
    else:
        rows = rows.filter(organization__path__startswith=board.current.path)
    rows = rows.filter(first_found_at__date__gte=first)
    found: dict[datetime.date, int] = {}
    still_open: dict[datetime.date, int] = {}
    for row in (
        rows.annotate(month=TruncMonth("first_found_at"))
        .values("month", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        found[month] = found.get(month, 0) + row["n"]
        if row["state"] in ACTIVE_STATES:
            still_open[month] = still_open.get(month, 0) + row["n"]
    if not found:
        return None
    months = []
    month = first
    while month <= today:
        months.append(month)
        month = _month_end(month) + datetime.timedelta(days=1)
    warning_list = reverse("compliance:warning_list")
    base = {k: v for k, v in query.items() if k != "active"}

    def link(month: datetime.date, **extra: str) -> str:
        params = {
            **base,
            "found_after": month.isoformat(),
            "found_before": _month_end(month).isoformat(),
            **extra,
        }
        return f"{warning_list}?{urlencode(params)}"

    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "legend": {"bottom": 0},
            "grid": {"left": 8, "right": 16, "top": 30, "bottom": 30, "containLabel": True},
            "xAxis": {"type": "category", "data": [f"{m.year}年{m.month}月" for m in months]},
            "yAxis": {"type": "value", "name": "项", "minInterval": 1},
            "series": [
                {
                    "name": "新发现",
                    "type": "line",
                    "data": [found.get(m, 0) for m in months],
                    "itemStyle": {"color": PALETTE[0]},
                },
                {
                    "name": "其中仍待处理",
                    "type": "line",
                    "data": [still_open.get(m, 0) for m in months],
                    "itemStyle": {"color": PALETTE[3]},
                },
            ],
        },
        "links": {
            "0": [link(m) for m in months],
            "1": [link(m, active="true") for m in months],
        },
    }


def excess_by_organization(warnings, query: dict[str, str]) -> dict | None:
    rows = [r for r in warnings.organizations if r.area]
    if not rows:
        return None
    warning_list = reverse("compliance:warning_list")
    option = _bar(
        [r.label for r in rows],
        [_float(r.area) for r in rows],
        "m²",
        colour=PALETTE[2],
        horizontal=True,
    )
    links = [
        f"{warning_list}?{urlencode({'organization': r.key, 'active': 'true', 'rule': 'R1'})}"
        for r in rows
    ]
    return {"option": option, "links": {"0": links}}


def dashboard_charts(user, board, warnings) -> list[dict[str, Any]]:
    """The charts of the dashboard's current node: (id, title, spec) for framework/chart.html."""
    if board.mode == "none":
        return []
    charts = [
        ("chart-area-category", "房间使用面积按用房类别", area_by_category(board)),
        ("chart-area-child", f"房间使用面积按{board.child_label}", area_by_child(board)),
    ]
    if warnings is not None:
        if board.mode == "region":
            query = {"region": board.current.code, "active": "true"}
        else:
            query = {"unit": str(board.current.pk), "active": "true"}
        charts += [
            ("chart-warning-rule", "待处理预警按规则", warnings_by_rule(warnings)),
            ("chart-warning-month", "预警按发现月份", warnings_by_month(user, board, query)),
            (
                "chart-excess-org",
                "待处理办公室超标面积较大的单位",
                excess_by_organization(warnings, query),
            ),
        ]
    return [{"id": key, "title": title, "spec": spec} for key, title, spec in charts if spec]
