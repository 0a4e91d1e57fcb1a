"""Reads of maintenance: a building's history, the flags, what a budget spent, costs compared.

Every read starts from ``restrict(user, "view")``; the sums of a budget are over the rows of its
holder whatever the reader sees (the budget itself is in the reader's scope).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from ..framework import clock
from ..registry.models import Building, Compound, Occupancy
from .choices import CONDITION_WEIGHT, OPEN_WORK_STAGES, BudgetItem, Stage
from .models import (
    Budget,
    Expense,
    MaintenancePayment,
    MaintenanceProject,
    PlanProposal,
    ServiceContract,
    ThreeYearPlan,
)

ZERO = Decimal("0.00")


# Flags ----------------------------------------------------------------------------------------
def overdue_q(today: datetime.date | None = None) -> Q:
    """Projects past their planned end and not accepted."""
    return Q(stage__in=OPEN_WORK_STAGES, planned_end_on__lt=today or clock.today())


def over_budget_q() -> Q:
    """Projects whose contract or payments exceed the approved amount."""
    return Q(approved_amount__isnull=False) & (
        Q(contract_amount__gt=F("approved_amount")) | Q(paid_total__gt=F("approved_amount"))
    )


# History --------------------------------------------------------------------------------------
def history_for(user, subject) -> QuerySet[MaintenanceProject]:
    """The projects of a building, or of a compound and its buildings, the account sees; the
    latest first."""
    projects = MaintenanceProject.objects.restrict(user, "view").select_related(
        "building__compound", "compound", "organization"
    )
    if isinstance(subject, Building):
        projects = projects.filter(building=subject)
    elif isinstance(subject, Compound):
        projects = projects.filter(Q(compound=subject) | Q(building__compound=subject))
    else:
        return projects.none()
    return projects.order_by(F("start_on").desc(nulls_last=True), "-year", "-pk")


def last_works(building_ids: list[int]) -> dict[int, MaintenanceProject]:
    """The latest project past 立项 of each building (the plan's ranking page)."""
    latest: dict[int, MaintenanceProject] = {}
    rows = (
        MaintenanceProject.objects.filter(building_id__in=building_ids)
        .exclude(stage=Stage.PROPOSED)
        .order_by("building_id", F("start_on").desc(nulls_last=True), "-year", "-pk")
    )
    for project in rows:
        latest.setdefault(project.building_id, project)
    return latest


def open_warning_counts(building_ids: list[int]) -> dict[int, int]:
    """Open compliance warnings on each building or its rooms."""
    from ..compliance.models import ACTIVE_STATES, Warning

    counts: dict[int, int] = {}
    direct = (
        Warning.objects.filter(building_id__in=building_ids, state__in=ACTIVE_STATES)
        .values("building_id")
        .annotate(n=Count("pk"))
    )
    for row in direct:
        counts[row["building_id"]] = counts.get(row["building_id"], 0) + row["n"]
    rooms = (
        Warning.objects.filter(room__floor__building_id__in=building_ids, state__in=ACTIVE_STATES)
        .values("room__floor__building_id")
        .annotate(n=Count("pk"))
    )
    for row in rooms:
        key = row["room__floor__building_id"]
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


@dataclass
class RankingRow:
    proposal: PlanProposal
    age: int | None
    last: MaintenanceProject | None
    warnings: int


def ranking_rows(plan: ThreeYearPlan) -> list[RankingRow]:
    """The plan's proposals with each building's age, last works and open warnings beside them;
    ranked first (by rank), then the rest by condition (worst first) and age (oldest first)."""
    proposals = list(
        plan.proposals.select_related("building__compound", "organization").order_by("pk")
    )
    ids = [p.building_id for p in proposals]
    last = last_works(ids)
    warnings = open_warning_counts(ids)
    year = clock.today().year
    rows = [
        RankingRow(
            proposal=p,
            age=year - p.building.year_built if p.building.year_built else None,
            last=last.get(p.building_id),
            warnings=warnings.get(p.building_id, 0),
        )
        for p in proposals
    ]
    rows.sort(
        key=lambda r: (
            r.proposal.rank is None,
            r.proposal.rank or 0,
            CONDITION_WEIGHT.get(r.proposal.condition, 9),
            -(r.age or 0),
            -r.warnings,
        )
    )
    return rows


# Budgets --------------------------------------------------------------------------------------
def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def contract_cost(contract: ServiceContract, year: int) -> Decimal:
    """The contract's annual amount for the days of ``year`` it runs."""
    first, last = year_bounds(year)
    start, end = max(contract.start_on, first), min(contract.end_on, last)
    if end < start:
        return ZERO
    days = (end - start).days + 1
    total = (last - first).days + 1
    return (contract.annual_amount * days / total).quantize(Decimal("0.01"))


def _holder_q(*, organization_id: int | None, compound_id: int | None, kind: str) -> Q:
    """Rows of an organization's budget (all its own) or of a compound's (on it or its
    buildings)."""
    if compound_id is not None:
        if kind == "expense":
            return Q(compound_id=compound_id)
        if kind == "payment":
            return Q(project__compound_id=compound_id) | Q(
                project__building__compound_id=compound_id
            )
        return Q(compound_id=compound_id) | Q(building__compound_id=compound_id)
    field = "project__organization_id" if kind == "payment" else "organization_id"
    return Q(**{field: organization_id})


def spent(*, item: str, year: int, organization_id=None, compound_id=None) -> Decimal:
    """What an organization or a compound spent on ``item`` in ``year``: maintenance payments,
    service contracts (pro rata), energy and rent as entered."""
    first, last = year_bounds(year)
    holder = {"organization_id": organization_id, "compound_id": compound_id}
    if item == BudgetItem.MAINTENANCE:
        rows = MaintenancePayment.objects.filter(
            _holder_q(**holder, kind="payment"), paid_on__range=(first, last)
        )
        return rows.aggregate(s=Sum("amount"))["s"] or ZERO
    if item == BudgetItem.PROPERTY:
        contracts = ServiceContract.objects.filter(
            _holder_q(**holder, kind="contract"), start_on__lte=last, end_on__gte=first
        )
        return sum((contract_cost(c, year) for c in contracts), ZERO)
    rows = Expense.objects.filter(
        _holder_q(**holder, kind="expense"), item=item, spent_on__range=(first, last)
    )
    return rows.aggregate(s=Sum("amount"))["s"] or ZERO


def budget_spent(budget: Budget) -> Decimal:
    if budget.compound_id:
        return spent(item=budget.item, year=budget.year, compound_id=budget.compound_id)
    return spent(item=budget.item, year=budget.year, organization_id=budget.organization_id)


@dataclass
class BudgetRow:
    budget: Budget
    spent: Decimal

    @property
    def rate(self) -> int | None:
        if not self.budget.planned:
            return None
        return int((self.spent * 100 / self.budget.planned).to_integral_value())

    @property
    def over(self) -> bool:
        return self.spent > self.budget.planned


def budget_rows(budgets) -> list[BudgetRow]:
    return [BudgetRow(budget=b, spent=budget_spent(b)) for b in budgets]


def budget_chart(rows: list[BudgetRow]) -> dict:
    """Planned and spent per budget line, as an ECharts bar spec (framework/chart.html)."""
    labels = [
        f"{r.budget.compound or r.budget.organization} {r.budget.get_item_display()}" for r in rows
    ]
    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": ["预算", "已支出"]},
            "grid": {"left": 8, "right": 8, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "value", "name": "元"},
            "yAxis": {"type": "category", "data": labels, "inverse": True},
            "series": [
                {"name": "预算", "type": "bar", "data": [float(r.budget.planned) for r in rows]},
                {"name": "已支出", "type": "bar", "data": [float(r.spent) for r in rows]},
            ],
        },
        "links": {"0": [r.budget.get_absolute_url() for r in rows]},
    }


# Costs compared across compounds --------------------------------------------------------------
@dataclass
class CostRow:
    compound: Compound
    area: Decimal
    persons: int
    property: Decimal
    maintenance: Decimal
    energy: Decimal
    rent: Decimal

    @property
    def total(self) -> Decimal:
        return self.property + self.maintenance + self.energy + self.rent

    @property
    def per_m2(self) -> Decimal | None:
        return (self.total / self.area).quantize(Decimal("0.01")) if self.area else None

    @property
    def per_person(self) -> Decimal | None:
        return (self.total / self.persons).quantize(Decimal("0.01")) if self.persons else None


def cost_rows(user, year: int) -> list[CostRow]:
    """Each compound the account sees with a year's cost (property, maintenance, energy, rent)
    over its building area and the persons with an office in it (registry)."""
    compounds = list(Compound.objects.restrict(user, "view").order_by("region__code", "name"))
    ids = [c.pk for c in compounds]
    areas = dict(
        Building.objects.filter(compound_id__in=ids)
        .values("compound_id")
        .annotate(a=Sum("building_area"))
        .values_list("compound_id", "a")
    )
    persons = dict(
        Occupancy.objects.filter(room__floor__building__compound_id__in=ids, ended_on__isnull=True)
        .values("room__floor__building__compound_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("room__floor__building__compound_id", "n")
    )
    costed = _costed_compounds(ids, year)
    rows = []
    for compound in compounds:
        if compound.pk not in costed:
            continue
        rows.append(
            CostRow(
                compound=compound,
                area=areas.get(compound.pk) or ZERO,
                persons=persons.get(compound.pk, 0),
                **{
                    item: spent(item=item, year=year, compound_id=compound.pk)
                    for item in ("property", "maintenance", "energy", "rent")
                },
            )
        )
    return rows


def _costed_compounds(ids: list[int], year: int) -> set[int]:
    """Compounds with any cost recorded in ``year`` (the others are left out of the table)."""
    first, last = year_bounds(year)
    found: set[int] = set()
    contracts = ServiceContract.objects.filter(start_on__lte=last, end_on__gte=first)
    for compound_id, building_compound in contracts.values_list(
        "compound_id", "building__compound_id"
    ):
        found.add(compound_id or building_compound)
    payments = MaintenancePayment.objects.filter(paid_on__range=(first, last))
    for compound_id, building_compound in payments.values_list(
        "project__compound_id", "project__building__compound_id"
    ):
        found.add(compound_id or building_compound)
    found.update(
        Expense.objects.filter(spent_on__range=(first, last), compound_id__isnull=False)
        .values_list("compound_id", flat=True)
        .distinct()
    )
    return found & set(ids)


def cost_chart(rows: list[CostRow]) -> dict:
    """Cost per m² and per person of each compound, as an ECharts bar spec."""
    labels = [r.compound.name for r in rows]
    return {
        "option": {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": ["每平方米（元）", "每人（元）"]},
            "grid": {"left": 8, "right": 8, "bottom": 8, "containLabel": True},
            "xAxis": [{"type": "value", "name": "元/m²"}, {"type": "value", "name": "元/人"}],
            "yAxis": {"type": "category", "data": labels, "inverse": True},
            "series": [
                {
                    "name": "每平方米（元）",
                    "type": "bar",
                    "xAxisIndex": 0,
                    "data": [float(r.per_m2 or 0) for r in rows],
                },
                {
                    "name": "每人（元）",
                    "type": "bar",
                    "xAxisIndex": 1,
                    "data": [float(r.per_person or 0) for r in rows],
                },
            ],
        },
        "links": {"0": [r.compound.get_absolute_url() for r in rows]},
    }


# Dossier (一房一档) ------------------------------------------------------------------------------
def dossier_section(subject, as_of: datetime.date):
    """The 维修记录 table of a compound's or a building's dossier: every project approved by
    ``as_of`` (the dossier is the property's record, whoever prints it)."""
    from ..archives.dossier import DossierSection

    if isinstance(subject, Building):
        projects = MaintenanceProject.objects.filter(building=subject)
    elif isinstance(subject, Compound):
        projects = MaintenanceProject.objects.filter(
            Q(compound=subject) | Q(building__compound=subject)
        )
    else:
        return None
    projects = (
        projects.exclude(stage=Stage.PROPOSED)
        .filter(approved_on__lte=as_of)
        .select_related("building", "compound")
        .order_by("approved_on", "pk")
    )
    rows = [
        (
            p.title,
            p.building.name if p.building_id else "全院",
            p.get_kind_display(),
            p.get_stage_display(),
            p.contractor or "—",
            f"{p.contract_amount:,.2f}" if p.contract_amount is not None else "—",
            f"{p.paid_total:,.2f}",
            f"{p.start_on:%Y-%m-%d}" if p.start_on else "—",
            f"{p.accepted_on:%Y-%m-%d}" if p.accepted_on else "—",
        )
        for p in projects
    ]
    if not rows:
        return None
    return DossierSection(
        title="维修记录",
        columns=(
            "项目",
            "楼座",
            "类型",
            "阶段",
            "施工单位",
            "合同金额（元）",
            "已付（元）",
            "开工",
            "验收",
        ),
        rows=rows,
        note="已立项的维修项目；资料见压缩包“维修”“合同”“照片”等目录。",
    )
