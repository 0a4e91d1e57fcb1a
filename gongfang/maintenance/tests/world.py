"""The registry's two-sided world with maintenance rows on each side.

Each side gets a proposed project of its building, a project under way (with a progress report
and a payment), a three-year plan of its region with one proposal, a service contract of its
compound, a budget and an energy expense of its organization, and a stage requirement of its
region (a paper the evaluation asks of minor works, count 0: it changes no gate). ``bureau_city`` (枣庄市) sees both.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from ...accounts.roles import Role
from ...framework.services import service_for
from ...registry.tests.world import WorldMixin, make_user
from ..choices import Stage
from ..models import (
    Budget,
    Expense,
    MaintenancePayment,
    MaintenanceProject,
    PlanProposal,
    ProgressReport,
    ServiceContract,
    StageRequirement,
    ThreeYearPlan,
)

START = datetime.date(2026, 3, 2)


def project_data(side, **extra) -> dict:
    return {
        "building": side.building,
        "organization": side.org,
        "kind": "major",
        "title": f"{side.building.name}屋面防水维修",
        "reason": "屋面渗漏，影响办公。",
        "estimate": Decimal("480000.00"),
        "funding_source": "财政预算资金",
        "year": 2026,
        **extra,
    }


def under_way(project: MaintenanceProject, **extra) -> MaintenanceProject:
    """Put ``project`` in 实施 with a contract (test setup: no gate, no log)."""
    values = {
        "stage": Stage.IN_PROGRESS,
        "approved_amount": Decimal("480000.00"),
        "contractor": "枣庄市第一建筑公司",
        "contract_amount": Decimal("450000.00"),
        "start_on": START,
        "planned_end_on": datetime.date(2026, 9, 30),
        **extra,
    }
    MaintenanceProject.objects.filter(pk=project.pk).update(**values)
    project.refresh_from_db()
    return project


class MaintenanceWorldMixin(WorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        cls.city_bureau = make_user("bureau_city", [Role.BUREAU_ADMIN], scope_region=w.city)
        actor = cls.city_bureau
        for n, side in enumerate((w.a, w.b)):
            side.project, _ = service_for(MaintenanceProject).create(
                actor=actor, data=project_data(side)
            )
            running, _ = service_for(MaintenanceProject).create(
                actor=actor, data=project_data(side, title="外墙维修", kind="minor")
            )
            side.running = under_way(running)
            side.report, _ = service_for(ProgressReport).create(
                actor=actor,
                data={"project": side.running, "reported_on": START, "percent": 30},
            )
            side.payment, _ = service_for(MaintenancePayment).create(
                actor=actor,
                data={"project": side.running, "paid_on": START, "amount": Decimal("100000")},
            )
            side.plan, _ = service_for(ThreeYearPlan).create(
                actor=actor,
                data={
                    "region": side.region,
                    "start_year": 2026,
                    "title": f"{side.region.name}三年维修规划",
                },
            )
            side.proposal, _ = service_for(PlanProposal).create(
                actor=actor,
                data={
                    "plan": side.plan,
                    "building": side.building,
                    "organization": side.org,
                    "title": "电梯更换",
                    "estimate": Decimal("600000"),
                    "year": 2027,
                    "condition": "poor",
                },
            )
            side.contract, _ = service_for(ServiceContract).create(
                actor=actor,
                data={
                    "compound": side.compound,
                    "provider": f"物业公司{n}",
                    "scopes": ["cleaning", "security"],
                    "area": Decimal("1000.00"),
                    "price": Decimal("3.50"),
                    "price_period": "month",
                    "start_on": datetime.date(2026, 1, 1),
                    "end_on": datetime.date(2026, 12, 31),
                },
            )
            side.budget, _ = service_for(Budget).create(
                actor=actor,
                data={
                    "organization": side.org,
                    "year": 2026,
                    "item": "maintenance",
                    "planned": Decimal("500000"),
                },
            )
            side.requirement, _ = service_for(StageRequirement).create(
                actor=actor,
                data={
                    "region": side.region,
                    "stage": Stage.EVALUATED,
                    "project_kind": "minor",
                    "category": "photo",
                    "count": 0,
                    "label": "完工照片",
                    "source": f"{side.region.name}维修项目管理细则",
                    "effective_from": datetime.date(2026, 1, 1),
                },
            )
            side.expense, _ = service_for(Expense).create(
                actor=actor,
                data={
                    "organization": side.org,
                    "item": "energy",
                    "spent_on": START,
                    "amount": Decimal("12000"),
                    "note": "电费",
                },
            )
