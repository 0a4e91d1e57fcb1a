"""Exports of the maintenance lists: the filtered rows as Excel or CSV (framework.exports), so
a bureau hands its project ledger, contracts and fund figures to finance and audit as they are
on the page."""

from __future__ import annotations

from ..framework.exports import field_exporter, register_exporter
from .models import (
    Budget,
    Expense,
    MaintenancePayment,
    MaintenanceProject,
    PlanProposal,
    ProgressReport,
    ServiceContract,
    ThreeYearPlan,
)

PROJECT_FIELDS = (
    "region",
    "organization",
    "compound",
    "building",
    "kind",
    "title",
    "year",
    "stage",
    "estimate",
    "funding_source",
    "approved_amount",
    "approved_on",
    "contractor",
    "contract_amount",
    "start_on",
    "planned_end_on",
    "progress_percent",
    "paid_total",
    "accepted_on",
    "acceptance_result",
    "score",
    "archived_on",
)

EXPORTS = (
    (MaintenanceProject, "维修项目", PROJECT_FIELDS),
    (ProgressReport, "实施进度", ("project", "reported_on", "percent", "note")),
    (MaintenancePayment, "维修付款", ("project", "paid_on", "amount", "note")),
    (ThreeYearPlan, "三年维修规划", ("region", "start_year", "title", "state", "note")),
    (
        PlanProposal,
        "规划申报项目",
        ("plan", "organization", "building", "title", "kind", "year", "estimate", "rank", "note"),
    ),
    (
        ServiceContract,
        "物业服务合同",
        (
            "region",
            "organization",
            "compound",
            "building",
            "provider",
            "area",
            "price",
            "price_period",
            "start_on",
            "end_on",
            "annual_amount",
            "note",
        ),
    ),
    (Budget, "经费预算", ("region", "organization", "compound", "year", "item", "planned", "note")),
    (
        Expense,
        "经费支出",
        ("region", "organization", "compound", "item", "spent_on", "amount", "note"),
    ),
)


# What the rows' related names read besides the columns' own joins (a building is named with
# its compound).
RELATED = {
    MaintenanceProject: ("building__compound",),
    PlanProposal: ("building__compound",),
    ServiceContract: ("building__compound",),
}


def register() -> None:
    for model, title, fields in EXPORTS:
        register_exporter(model, field_exporter(model, title, fields, RELATED.get(model, ())))
