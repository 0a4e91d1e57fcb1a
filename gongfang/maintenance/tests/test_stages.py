"""The project's stage machine and its gates, the case kinds' effects on the engine, the money
and progress flags, what a budget spent, and the three-year plan from proposals to projects."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ...accounts.roles import Role
from ...archives.services import add_document
from ...archives.tests.files import png_bytes
from ...framework import clock
from ...framework.services import service_for
from ...registry.tests.world import PASSWORD, build_world, make_user
from ...workflow import services as workflow
from ...workflow.choices import CaseKind, CaseState
from ...workflow.models import Task
from ...workflow.tests.conftest import code_for
from .. import gates, selectors, services
from ..choices import Stage
from ..models import (
    Budget,
    Expense,
    MaintenancePayment,
    MaintenanceProject,
    PlanProposal,
    ProgressReport,
    ServiceContract,
    ThreeYearPlan,
)
from .world import project_data, under_way

TODAY = clock.today()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def unit_a(world):
    return make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)


@pytest.fixture
def bureau_a(world):
    return make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=world.a.region)


@pytest.fixture
def leader_a(world):
    from ...accounts.otp import provision_device

    user = make_user("leader_a", [Role.LEADER], scope_region=world.a.region)
    provision_device(user=user)
    return user


def file_papers(user, project, category: str, n: int = 1) -> None:
    for k in range(n):
        add_document(
            user=user,
            subject=project,
            category=category,
            file=png_bytes(color=f"#{k + 1:02d}3344"),
            title=f"{category}-{k}",
        )


def new_project(user, world, **extra) -> MaintenanceProject:
    project, _ = service_for(MaintenanceProject).create(
        actor=user, data=project_data(world.a, **extra)
    )
    return project


def decide(user, case, **signature):
    case.refresh_from_db()
    return workflow.decide(actor=user, case=case, decision="approve", comment="同意。", **signature)


def approve(case, bureau, leader):
    decide(bureau, case)
    return decide(leader, case, password=PASSWORD, otp=code_for(leader))


def test_project_runs_from_proposal_to_archive(world, unit_a, bureau_a, leader_a):
    project = new_project(unit_a, world)
    file_papers(unit_a, project, "maintenance")
    case = services.submit_project(actor=unit_a, project=project, amount=Decimal("460000"))
    assert case.kind == CaseKind.MAINTENANCE_PROJECT and case.state == CaseState.SUBMITTED
    assert project.case_id == case.pk and project.stage == Stage.PROPOSED
    # The bureau reviews, the leader signs: the effect moves the project to 立项.
    tasks = Task.objects.filter(case=case).values_list("role", flat=True)
    assert list(tasks) == [Role.BUREAU_ADMIN]
    case = approve(case, bureau_a, leader_a)
    assert case.state == CaseState.APPLIED
    project.refresh_from_db()
    assert project.stage == Stage.APPROVED
    assert project.approved_amount == Decimal("460000.00")
    assert project.approved_on == TODAY

    start = dict(
        contractor="枣庄市第一建筑公司",
        contract_amount=Decimal("450000"),
        start_on=TODAY - datetime.timedelta(days=60),
        planned_end_on=TODAY + datetime.timedelta(days=30),
    )
    with pytest.raises(ValidationError) as refused:
        services.start_works(actor=unit_a, project=project, **start)
    assert "施工合同" in refused.value.messages[0]
    file_papers(unit_a, project, "contract")
    file_papers(unit_a, project, "construction")
    services.start_works(actor=unit_a, project=project, **start)
    assert project.stage == Stage.IN_PROGRESS

    service_for(ProgressReport).create(
        actor=unit_a, data={"project": project, "reported_on": TODAY, "percent": 60}
    )
    with pytest.raises(ValidationError, match="60%"):
        services.accept(actor=unit_a, project=project, accepted_on=TODAY, result="passed")
    service_for(ProgressReport).create(
        actor=unit_a, data={"project": project, "reported_on": TODAY, "percent": 100}
    )
    service_for(MaintenancePayment).create(
        actor=unit_a, data={"project": project, "paid_on": TODAY, "amount": Decimal("300000")}
    )
    project.refresh_from_db()
    assert (project.progress_percent, project.paid_total, project.spent_percent) == (
        100,
        Decimal("300000.00"),
        67,
    )
    with pytest.raises(ValidationError, match="施工前后照片"):
        services.accept(actor=unit_a, project=project, accepted_on=TODAY, result="passed")
    file_papers(unit_a, project, "photo", 2)
    services.accept(actor=unit_a, project=project, accepted_on=TODAY, result="passed")
    assert project.stage == Stage.ACCEPTED

    with pytest.raises(PermissionDenied):
        services.evaluate(actor=unit_a, project=project, score=90, comment="良好")
    services.evaluate(actor=bureau_a, project=project, score=92, comment="质量良好，按期完工。")
    assert project.stage == Stage.EVALUATED

    with pytest.raises(ValidationError, match="竣工验收资料"):
        services.archive(actor=bureau_a, project=project)
    file_papers(unit_a, project, "maintenance")
    services.archive(actor=bureau_a, project=project)
    project.refresh_from_db()
    assert (project.stage, project.archived_on) == (Stage.ARCHIVED, TODAY)
    # Every stage was change-logged on the project.
    from ...framework.selectors import changes_for

    stages = [c.postchange_data.get("stage") for c in changes_for(project)]
    assert {"approved", "in_progress", "accepted", "evaluated", "archived"} <= set(stages)
    # It shows in the building's history.
    assert list(selectors.history_for(unit_a, world.a.building)) == [project]


def test_major_project_needs_its_scheme_to_apply_a_minor_one_does_not(world, unit_a):
    major = new_project(unit_a, world)
    with pytest.raises(ValidationError) as refused:
        services.submit_project(actor=unit_a, project=major)
    assert refused.value.messages == [
        "提交立项申请前须上传“维修方案及概算”1 份（档案类别：维修），现有 0 份。"
    ]
    minor = new_project(unit_a, world, kind="minor", title="门窗维修")
    case = services.submit_project(actor=unit_a, project=minor)
    assert case.payload["amount"] == "480000.00"
    with pytest.raises(ValidationError, match="审批中"):
        services.submit_project(actor=unit_a, project=minor)


def test_a_submitted_project_cannot_be_edited(world, unit_a):
    project = new_project(unit_a, world, kind="minor")
    services.submit_project(actor=unit_a, project=project)
    with pytest.raises(ValidationError, match="审批中"):
        service_for(MaintenanceProject).update(
            actor=unit_a, instance=project, data={"title": "改名"}
        )


def test_stages_in_the_wrong_order_are_refused(world, unit_a, bureau_a):
    project = new_project(unit_a, world)
    with pytest.raises(ValidationError, match="须在“立项”阶段才能开始实施"):
        services.start_works(
            actor=unit_a,
            project=project,
            contractor="甲公司",
            contract_amount=Decimal("1"),
            start_on=TODAY,
            planned_end_on=TODAY,
        )
    with pytest.raises(ValidationError, match="须在“验收”阶段才能评价"):
        services.evaluate(actor=bureau_a, project=project, score=80, comment="好")
    with pytest.raises(ValidationError, match="只能在实施"):
        service_for(MaintenancePayment).create(
            actor=unit_a, data={"project": project, "paid_on": TODAY, "amount": Decimal("1")}
        )


def test_a_failed_acceptance_is_recorded_and_the_works_go_on(world, unit_a):
    project = under_way(new_project(unit_a, world, kind="minor"), progress_percent=100)
    file_papers(unit_a, project, "photo")
    services.accept(
        actor=unit_a, project=project, accepted_on=TODAY, result="failed", note="渗漏未处理"
    )
    project.refresh_from_db()
    assert (project.stage, project.acceptance_result) == (Stage.IN_PROGRESS, "failed")


def test_payments_keep_the_paid_total(world, unit_a):
    project = under_way(new_project(unit_a, world))
    service = service_for(MaintenancePayment)
    first, _ = service.create(
        actor=unit_a, data={"project": project, "paid_on": TODAY, "amount": Decimal("400000")}
    )
    _, notices = service.create(
        actor=unit_a, data={"project": project, "paid_on": TODAY, "amount": Decimal("100000")}
    )
    assert notices == ["超支提醒：已付金额 500,000.00 元超过批准金额 480,000.00 元。"]
    service.delete(actor=unit_a, instance=first)
    project.refresh_from_db()
    assert project.paid_total == Decimal("100000.00")


D = datetime.timedelta


# stage, planned end (days from today), approved, contract, paid -> overdue, over budget
FLAG_CASES = [
    ("in_progress", -1, "100", "90", "10", True, False),
    ("in_progress", 0, "100", "90", "10", False, False),
    ("approved", -5, "100", None, "0", True, False),
    ("accepted", -30, "100", "90", "90", False, False),
    ("archived", -300, "100", "90", "90", False, False),
    ("in_progress", 10, "100", "120", "10", False, True),
    ("in_progress", 10, "100", "90", "100.01", False, True),
    ("in_progress", 10, "100", "100", "100", False, False),
    ("in_progress", -2, "100", "130", "150", True, True),
    ("proposed", -2, None, None, "0", False, False),
]


@pytest.mark.parametrize("stage,end,approved,contract,paid,overdue,over_budget", FLAG_CASES)
def test_flags(world, unit_a, stage, end, approved, contract, paid, overdue, over_budget):
    project = new_project(unit_a, world)
    MaintenanceProject.objects.filter(pk=project.pk).update(
        stage=stage,
        planned_end_on=TODAY + D(days=end),
        approved_amount=Decimal(approved) if approved else None,
        contract_amount=Decimal(contract) if contract else None,
        paid_total=Decimal(paid),
    )
    project.refresh_from_db()
    assert (project.is_overdue, project.is_over_budget) == (overdue, over_budget)
    # The list's filters agree with the page's flags.
    rows = MaintenanceProject.objects.filter(pk=project.pk)
    assert rows.filter(selectors.overdue_q()).exists() == overdue
    assert rows.filter(selectors.over_budget_q()).exists() == over_budget


def test_budget_spent_from_payments_contracts_and_expenses(world, bureau_a):
    a = world.a
    year = TODAY.year
    project = under_way(new_project(bureau_a, world))
    MaintenanceProject.objects.filter(pk=project.pk).update(start_on=datetime.date(year - 1, 12, 1))
    for day, amount in (
        (datetime.date(year, 1, 15), "200000"),
        (datetime.date(year - 1, 12, 20), "50000"),
    ):
        service_for(MaintenancePayment).create(
            actor=bureau_a, data={"project": project, "paid_on": day, "amount": Decimal(amount)}
        )
    # A contract of the compound running the second half of the year: half its annual amount.
    service_for(ServiceContract).create(
        actor=bureau_a,
        data={
            "compound": a.compound,
            "provider": "甲物业",
            "scopes": ["cleaning"],
            "area": Decimal("1000"),
            "price": Decimal("36.50"),
            "price_period": "year",
            "start_on": datetime.date(year, 7, 2),
            "end_on": datetime.date(year + 1, 7, 1),
        },
    )
    service_for(Expense).create(
        actor=bureau_a,
        data={
            "compound": a.compound,
            "item": "energy",
            "spent_on": datetime.date(year, 1, 5),
            "amount": Decimal("900"),
        },
    )
    budgets = {
        item: service_for(Budget).create(
            actor=bureau_a,
            data={"organization": a.org, "year": year, "item": item, "planned": Decimal("100000")},
        )[0]
        for item in ("maintenance", "property", "energy", "rent")
    }
    spent = {item: selectors.budget_spent(b) for item, b in budgets.items()}
    days = (datetime.date(year, 12, 31) - datetime.date(year, 7, 2)).days + 1
    total = (datetime.date(year, 12, 31) - datetime.date(year, 1, 1)).days + 1
    assert spent["maintenance"] == Decimal("200000")  # last year's payment is not this year's
    assert spent["property"] == (Decimal("36500.00") * days / total).quantize(Decimal("0.01"))
    assert spent["energy"] == Decimal("900")  # the compound's managing unit's
    assert spent["rent"] == Decimal("0")
    compound_budget, _ = service_for(Budget).create(
        actor=bureau_a,
        data={"compound": a.compound, "year": year, "item": "maintenance", "planned": Decimal("1")},
    )
    assert compound_budget.organization_id == a.org.pk  # the compound's managing unit
    assert selectors.budget_spent(compound_budget) == Decimal("200000")
    rows = selectors.budget_rows([compound_budget])
    assert rows[0].over and rows[0].rate == 20000000
    # Costs compared across compounds: the compound's year over its area.
    cost = {r.compound.pk: r for r in selectors.cost_rows(bureau_a, year)}[a.compound.pk]
    assert cost.total == spent["maintenance"] + spent["property"] + Decimal("900")
    assert cost.per_m2 == (cost.total / cost.area).quantize(Decimal("0.01"))


def test_plan_ranked_approved_as_a_case_and_made_projects(world, unit_a, bureau_a, leader_a):
    a = world.a
    plan, _ = service_for(ThreeYearPlan).create(
        actor=bureau_a, data={"region": a.region, "start_year": 2027, "title": "三年规划"}
    )
    proposals = [
        service_for(PlanProposal).create(
            actor=unit_a,
            data={
                "plan": plan,
                "building": a.building,
                "organization": a.org,
                "title": title,
                "estimate": Decimal("100000"),
                "year": 2027,
                "condition": condition,
            },
        )[0]
        for title, condition in (("屋面", "poor"), ("电梯", "dangerous"), ("粉刷", "good"))
    ]
    with pytest.raises(ValidationError, match="2027—2029"):
        service_for(PlanProposal).create(
            actor=unit_a,
            data={
                **{"plan": plan, "building": a.building, "organization": a.org},
                "title": "x",
                "estimate": 1,
                "year": 2031,
            },
        )
    # Unranked, the worst condition comes first on the ranking page.
    assert [r.proposal.title for r in selectors.ranking_rows(plan)] == ["电梯", "屋面", "粉刷"]
    with pytest.raises(PermissionDenied):
        services.rank_proposals(actor=unit_a, plan=plan, order=[proposals[0].pk])
    with pytest.raises(ValidationError, match="请先对申报项目排序"):
        services.submit_plan(actor=bureau_a, plan=plan, applicant=a.org)
    services.rank_proposals(actor=bureau_a, plan=plan, order=[proposals[1].pk, proposals[0].pk])
    case = services.submit_plan(actor=bureau_a, plan=plan, applicant=a.org)
    plan.refresh_from_db()
    assert plan.state == "submitted"
    with pytest.raises(ValidationError, match="不再征集"):
        service_for(PlanProposal).update(actor=unit_a, instance=proposals[2], data={"title": "改"})
    case.refresh_from_db()
    case = decide(leader_a, case, password=PASSWORD, otp=code_for(leader_a))
    assert case.state == CaseState.APPLIED
    plan.refresh_from_db()
    assert plan.state == "approved"
    with pytest.raises(ValidationError, match="列入排序"):
        services.project_from_proposal(actor=unit_a, proposal=proposals[2])
    project = services.project_from_proposal(actor=unit_a, proposal=proposals[1])
    assert (project.stage, project.proposal_id, project.title) == (
        Stage.PROPOSED,
        proposals[1].pk,
        "电梯",
    )
    with pytest.raises(ValidationError, match="已转为维修项目"):
        services.project_from_proposal(actor=unit_a, proposal=proposals[1])


def test_gate_table_is_seeded_national_rows_once(db):
    from ..models import StageRequirement

    rows = StageRequirement.objects.filter(region__isnull=True)
    pairs = [(r.stage, r.project_kind, r.category) for r in rows]
    assert len(pairs) == 8 and len(pairs) == len(set(pairs))
    assert {r.stage for r in rows} <= {gates.SUBMIT, *Stage.values}
    assert all(r.kind == "national" and "维修项目管理规范" in r.source for r in rows)


def test_history_is_scoped(world, bureau_a):
    b_bureau = make_user("bureau_b", [Role.BUREAU_ADMIN], scope_region=world.b.region)
    project = new_project(bureau_a, world)
    assert list(selectors.history_for(bureau_a, world.a.compound)) == [project]
    assert list(selectors.history_for(b_bureau, world.a.compound)) == []
