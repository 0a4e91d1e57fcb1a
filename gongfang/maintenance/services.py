"""Services of maintenance: every write, each in one transaction (lock, version, change log).

The rows are written through their :class:`ObjectService` (generic pages, API, demo). A project's
stage moves only through the functions below: ``submit_project`` (申报 → a ``maintenance_project``
case; its approval sets 立项 through ``approve_project``), ``start_works`` (实施), ``accept``
(验收), ``evaluate`` (评价) and ``archive`` (归档) — each checks its gate (``gates``) and
refuses in Chinese. Progress reports and payments keep the project's progress and paid total.
The three-year plan is ranked (``rank_proposals``), submitted as a ``maintenance_plan`` case
(``submit_plan``) and its approved items become projects (``project_from_proposal``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Sum

from ..accounts.roles import Role
from ..framework import clock
from ..framework.changelog import record_change, serialize_object
from ..framework.models import ObjectChange
from ..framework.services import OUT_OF_SCOPE, ObjectService, register
from ..framework.versions import check_version
from ..registry.models import Organization
from ..standards.models import NATIONAL_READ_ONLY, VersionKind
from . import gates
from .choices import PAYABLE_STAGES, AcceptanceResult, PlanState, Stage
from .models import (
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


def _property_region_id(instance) -> int | None:
    if instance.building_id:
        return instance.building.compound.region_id
    if instance.compound_id:
        return instance.compound.region_id
    return None


def _fill_holder(instance) -> None:
    """A compound's row without an organization belongs to the compound's managing unit; the
    region is the property's, else the organization's."""
    compound = None
    if getattr(instance, "building_id", None):
        compound = instance.building.compound
    elif instance.compound_id:
        compound = instance.compound
    if not instance.organization_id and compound is not None:
        instance.organization_id = compound.owner_org_id
    if compound is not None:
        instance.region_id = compound.region_id
    elif instance.organization_id:
        instance.region_id = Organization.objects.get(pk=instance.organization_id).region_id


def write_fields(*, actor, instance: models.Model, **values) -> models.Model:
    """Set fields the pages do not edit (a stage, a total) on the locked row: version raised,
    change logged. Called inside the caller's transaction."""
    model = type(instance)
    current = model._base_manager.select_for_update().get(pk=instance.pk)
    before = serialize_object(current)
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if not changed:
        return current
    for name in changed:
        setattr(current, name, values[name])
    current.version += 1
    current.save(update_fields=[*changed, "version", "updated_at"])
    record_change(actor=actor, instance=current, action=ObjectChange.Action.UPDATE, before=before)
    return current


# Projects -------------------------------------------------------------------------------------
@register
class MaintenanceProjectService(ObjectService):
    model = MaintenanceProject

    def prepare(self, *, actor, instance: MaintenanceProject) -> None:
        region_id = _property_region_id(instance)
        if region_id is not None:
            instance.region_id = region_id
        elif instance.organization_id:
            instance.region_id = Organization.objects.get(pk=instance.organization_id).region_id
        instance.title = (instance.title or "").strip()
        instance.funding_source = (instance.funding_source or "").strip()

    def validate(self, *, actor, instance: MaintenanceProject, before: dict | None) -> None:
        if before is not None and before.get("stage") != Stage.PROPOSED:
            raise ValidationError("项目已立项，申报内容不能再修改。")
        if before is not None and instance.case_id and _case_running(instance):
            raise ValidationError("立项申请正在审批中，申报内容不能修改；如需修改请先撤回申请。")

    def delete(self, *, actor, instance, expected_version=None) -> None:
        if instance.stage != Stage.PROPOSED:
            raise ValidationError("项目已立项，不能删除。")
        super().delete(actor=actor, instance=instance, expected_version=expected_version)


def _case_running(project: MaintenanceProject) -> bool:
    from ..workflow.choices import CLOSED_STATES

    return project.case is not None and project.case.state not in CLOSED_STATES


def is_bureau(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(Role.BUREAU_ADMIN))


def _locked_project(actor, project: MaintenanceProject, expected_version: int | None):
    """The project locked, in the actor's write scope, at the version the actor saw."""
    if not actor.has_model_perm(MaintenanceProject, "change"):
        raise PermissionDenied("您没有修改维修项目的权限。")
    current = MaintenanceProject._base_manager.select_for_update().get(pk=project.pk)
    if not MaintenanceProject.objects.restrict(actor, "change").filter(pk=current.pk).exists():
        raise ValidationError(OUT_OF_SCOPE)
    check_version(current, expected_version)
    return current


def _require_stage(project: MaintenanceProject, stage: str, verb: str) -> None:
    if project.stage != stage:
        raise ValidationError(
            f"项目当前处于“{project.get_stage_display()}”阶段，"
            f"须在“{Stage(stage).label}”阶段才能{verb}。"
        )


def _require_gate(project: MaintenanceProject, stage: str) -> None:
    lacking = gates.missing(project, stage)
    if lacking:
        raise ValidationError(lacking)


def _copy(source: models.Model, target: models.Model) -> None:
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def submit_project(
    *, actor, project: MaintenanceProject, amount: Decimal | None = None, expected_version=None
):
    """申报: a ``maintenance_project`` case for ``project`` drafted and submitted at once (the
    unit's application; the bureau reviews, the leader signs)."""
    from ..workflow import services as workflow
    from ..workflow.choices import CaseKind

    with transaction.atomic():
        current = _locked_project(actor, project, expected_version)
        _require_stage(current, Stage.PROPOSED, "申请立项")
        if _case_running(current):
            raise ValidationError(f"该项目已有审批中的立项申请（{current.case}）。")
        _require_gate(current, gates.SUBMIT)
        amount = current.estimate if amount is None else amount
        case = workflow.create_case(
            actor=actor,
            kind=CaseKind.MAINTENANCE_PROJECT,
            applicant=current.organization,
            data={"project": current.pk, "amount": str(amount)},
        )
        case = workflow.submit_case(actor=actor, case=case)
        current = write_fields(actor=actor, instance=current, case=case)
    _copy(current, project)
    return case


def approve_project(*, actor, project: MaintenanceProject, amount: Decimal, case) -> None:
    """立项: the effect of an approved ``maintenance_project`` case (``actor`` is the approval's
    authority)."""
    current = MaintenanceProject._base_manager.select_for_update().get(pk=project.pk)
    _require_stage(current, Stage.PROPOSED, "立项")
    write_fields(
        actor=actor,
        instance=current,
        stage=Stage.APPROVED,
        approved_amount=amount,
        approved_on=clock.today(),
        case=case,
    )


def start_works(
    *,
    actor,
    project: MaintenanceProject,
    contractor: str,
    contract_amount: Decimal,
    start_on: datetime.date,
    planned_end_on: datetime.date,
    expected_version: int | None = None,
) -> MaintenanceProject:
    """实施: the contract is signed (contractor, amount, start, planned end)."""
    errors: dict[str, str] = {}
    contractor = (contractor or "").strip()
    if not contractor:
        errors["contractor"] = "请填写施工单位。"
    if contract_amount is None or contract_amount <= 0:
        errors["contract_amount"] = "合同金额须大于 0。"
    if start_on and planned_end_on and planned_end_on < start_on:
        errors["planned_end_on"] = "计划完工日期不能早于开工日期。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _locked_project(actor, project, expected_version)
        _require_stage(current, Stage.APPROVED, "开始实施")
        _require_gate(current, Stage.IN_PROGRESS)
        current = write_fields(
            actor=actor,
            instance=current,
            stage=Stage.IN_PROGRESS,
            contractor=contractor[:100],
            contract_amount=contract_amount,
            start_on=start_on,
            planned_end_on=planned_end_on,
        )
    _copy(current, project)
    return project


def accept(
    *,
    actor,
    project: MaintenanceProject,
    accepted_on: datetime.date,
    result: str,
    note: str = "",
    expected_version: int | None = None,
) -> MaintenanceProject:
    """验收: the acceptance record. A failed acceptance is recorded and the works go on."""
    if accepted_on is None or accepted_on > clock.today():
        raise ValidationError({"accepted_on": "验收日期须填写，且不能晚于今天。"})
    if result not in AcceptanceResult.values:
        raise ValidationError({"result": "请选择验收结论。"})
    with transaction.atomic():
        current = _locked_project(actor, project, expected_version)
        _require_stage(current, Stage.IN_PROGRESS, "验收")
        if current.progress_percent < 100:
            raise ValidationError(
                f"实施进度为 {current.progress_percent}%，须报告完成 100% 后才能验收。"
            )
        _require_gate(current, Stage.ACCEPTED)
        if current.start_on and accepted_on < current.start_on:
            raise ValidationError({"accepted_on": "验收日期不能早于开工日期。"})
        passed = result == AcceptanceResult.PASSED
        current = write_fields(
            actor=actor,
            instance=current,
            stage=Stage.ACCEPTED if passed else Stage.IN_PROGRESS,
            accepted_on=accepted_on,
            acceptance_result=result,
            acceptance_note=(note or "").strip(),
        )
    _copy(current, project)
    return project


def evaluate(
    *,
    actor,
    project: MaintenanceProject,
    score: int,
    comment: str,
    expected_version: int | None = None,
) -> MaintenanceProject:
    """评价: the bureau scores the project after a passed acceptance."""
    if not is_bureau(actor):
        raise PermissionDenied("维修项目由机关事务管理局评价。")
    if score is None or not 0 <= score <= 100:
        raise ValidationError({"score": "评价得分须为 0—100 的整数。"})
    if not (comment or "").strip():
        raise ValidationError({"comment": "请填写评价意见。"})
    with transaction.atomic():
        current = _locked_project(actor, project, expected_version)
        _require_stage(current, Stage.ACCEPTED, "评价")
        if current.acceptance_result != AcceptanceResult.PASSED:
            raise ValidationError("评价前须有验收合格的验收记录。")
        current = write_fields(
            actor=actor,
            instance=current,
            stage=Stage.EVALUATED,
            score=score,
            evaluation=comment.strip(),
        )
    _copy(current, project)
    return project


def archive(
    *,
    actor,
    project: MaintenanceProject,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> MaintenanceProject:
    """归档: the papers are complete; the project joins the building's history and dossier."""
    if not is_bureau(actor):
        raise PermissionDenied("维修项目由机关事务管理局归档。")
    with transaction.atomic():
        current = _locked_project(actor, project, expected_version)
        _require_stage(current, Stage.EVALUATED, "归档")
        _require_gate(current, Stage.ARCHIVED)
        current = write_fields(
            actor=actor, instance=current, stage=Stage.ARCHIVED, archived_on=on or clock.today()
        )
    _copy(current, project)
    return project


# Progress and payments ------------------------------------------------------------------------
class ProjectChildService(ObjectService):
    """A row of a project (a progress report, a payment): allowed only in some stages, and the
    project's running figure follows every write."""

    stages: tuple[str, ...] = ()
    verb = ""

    def validate(self, *, actor, instance, before: dict | None) -> None:
        project = MaintenanceProject._base_manager.select_for_update().get(pk=instance.project_id)
        if project.stage not in self.stages:
            names = "、".join(Stage(s).label for s in self.stages)
            raise ValidationError(
                {
                    "project": f"项目“{project}”处于“{project.get_stage_display()}”阶段，"
                    f"只能在{names}阶段{self.verb}。"
                }
            )
        if before is not None and before.get("project") != instance.project_id:
            raise ValidationError({"project": "不能改到其他项目。"})
        self.check(project=project, instance=instance)

    def check(self, *, project: MaintenanceProject, instance) -> None:
        """Rules of the row against its project (subclasses)."""

    def after_save(self, *, actor, instance, before: dict | None) -> list[str]:
        self.refresh_project(actor=actor, project_id=instance.project_id)
        return []

    def delete(self, *, actor, instance, expected_version=None) -> None:
        project = MaintenanceProject._base_manager.get(pk=instance.project_id)
        if project.stage not in self.stages:
            raise ValidationError(
                f"项目“{project}”处于“{project.get_stage_display()}”阶段，不能删除此记录。"
            )
        with transaction.atomic():
            super().delete(actor=actor, instance=instance, expected_version=expected_version)
            self.refresh_project(actor=actor, project_id=project.pk)

    def refresh_project(self, *, actor, project_id: int) -> None:
        raise NotImplementedError


@register
class ProgressReportService(ProjectChildService):
    model = ProgressReport
    stages = (Stage.IN_PROGRESS,)
    verb = "报告进度"

    def check(self, *, project: MaintenanceProject, instance: ProgressReport) -> None:
        if project.start_on and instance.reported_on and instance.reported_on < project.start_on:
            raise ValidationError({"reported_on": "报告日期不能早于开工日期。"})

    def refresh_project(self, *, actor, project_id: int) -> None:
        latest = (
            ProgressReport.objects.filter(project_id=project_id)
            .order_by("-reported_on", "-pk")
            .values_list("percent", flat=True)
            .first()
        )
        project = MaintenanceProject._base_manager.get(pk=project_id)
        write_fields(actor=actor, instance=project, progress_percent=latest or 0)


@register
class MaintenancePaymentService(ProjectChildService):
    model = MaintenancePayment
    stages = PAYABLE_STAGES
    verb = "登记付款"

    def check(self, *, project: MaintenanceProject, instance: MaintenancePayment) -> None:
        if project.start_on and instance.paid_on and instance.paid_on < project.start_on:
            raise ValidationError({"paid_on": "付款日期不能早于开工日期。"})

    def after_save(self, *, actor, instance, before: dict | None) -> list[str]:
        super().after_save(actor=actor, instance=instance, before=before)
        project = MaintenanceProject._base_manager.get(pk=instance.project_id)
        return [f"超支提醒：{r}。" for r in project.over_budget_reasons]

    def refresh_project(self, *, actor, project_id: int) -> None:
        total = MaintenancePayment.objects.filter(project_id=project_id).aggregate(s=Sum("amount"))
        project = MaintenanceProject._base_manager.get(pk=project_id)
        write_fields(actor=actor, instance=project, paid_total=total["s"] or Decimal("0"))


# Three-year plan ------------------------------------------------------------------------------
@register
class ThreeYearPlanService(ObjectService):
    model = ThreeYearPlan

    def validate(self, *, actor, instance: ThreeYearPlan, before: dict | None) -> None:
        if before is not None and before.get("state") != PlanState.OPEN:
            raise ValidationError("规划已报批，不能再修改。")

    def delete(self, *, actor, instance, expected_version=None) -> None:
        if instance.state != PlanState.OPEN:
            raise ValidationError("规划已报批，不能删除。")
        super().delete(actor=actor, instance=instance, expected_version=expected_version)


@register
class PlanProposalService(ObjectService):
    model = PlanProposal

    def validate(self, *, actor, instance: PlanProposal, before: dict | None) -> None:
        plan = ThreeYearPlan.objects.get(pk=instance.plan_id)
        if plan.state != PlanState.OPEN:
            raise ValidationError(
                {"plan": f"规划“{plan}”已{plan.get_state_display()}，不再征集项目。"}
            )
        building_region = instance.building.compound.region
        if not building_region.path.startswith(plan.region.path):
            raise ValidationError({"building": f"楼座不在规划的区划“{plan.region.name}”内。"})

    def delete(self, *, actor, instance, expected_version=None) -> None:
        if instance.plan.state != PlanState.OPEN:
            raise ValidationError("规划已报批，不能删除其中的项目。")
        super().delete(actor=actor, instance=instance, expected_version=expected_version)


def _locked_plan(actor, plan: ThreeYearPlan, expected_version: int | None) -> ThreeYearPlan:
    if not is_bureau(actor) or not actor.has_model_perm(ThreeYearPlan, "change"):
        raise PermissionDenied("三年维修规划由机关事务管理局排序和报批。")
    current = ThreeYearPlan._base_manager.select_for_update().get(pk=plan.pk)
    if not ThreeYearPlan.objects.restrict(actor, "change").filter(pk=current.pk).exists():
        raise ValidationError(OUT_OF_SCOPE)
    check_version(current, expected_version)
    return current


def rank_proposals(
    *, actor, plan: ThreeYearPlan, order: list[int], expected_version: int | None = None
) -> ThreeYearPlan:
    """The bureau's ranking: ``order`` lists proposal ids, most urgent first; the others are
    left unranked (not in the plan as approved)."""
    with transaction.atomic():
        current = _locked_plan(actor, plan, expected_version)
        if current.state != PlanState.OPEN:
            raise ValidationError(f"规划已{current.get_state_display()}，不能再排序。")
        proposals = {p.pk: p for p in current.proposals.select_for_update()}
        unknown = [pk for pk in order if pk not in proposals]
        if unknown or len(set(order)) != len(order):
            raise ValidationError({"order": "排序中有不属于该规划的项目或重复的项目。"})
        ranks = {pk: n for n, pk in enumerate(order, start=1)}
        for pk, proposal in proposals.items():
            write_fields(actor=actor, instance=proposal, rank=ranks.get(pk))
    return plan


def submit_plan(
    *, actor, plan: ThreeYearPlan, applicant: Organization, expected_version: int | None = None
):
    """The ranked plan goes to the leader as a ``maintenance_plan`` case."""
    from ..workflow import services as workflow
    from ..workflow.choices import CaseKind

    with transaction.atomic():
        current = _locked_plan(actor, plan, expected_version)
        if current.state != PlanState.OPEN:
            raise ValidationError(f"规划已{current.get_state_display()}，不能再次报批。")
        if not current.proposals.filter(rank__isnull=False).exists():
            raise ValidationError("请先对申报项目排序（至少列入一项）再报批。")
        case = workflow.create_case(
            actor=actor,
            kind=CaseKind.MAINTENANCE_PLAN,
            applicant=applicant,
            data={"plan": current.pk},
        )
        case = workflow.submit_case(actor=actor, case=case)
        current = write_fields(actor=actor, instance=current, case=case, state=PlanState.SUBMITTED)
    _copy(current, plan)
    return case


def reopen_plan(*, actor, plan: ThreeYearPlan) -> ThreeYearPlan:
    """A plan whose case was returned, rejected or withdrawn is open again for changes."""
    from ..workflow.choices import CaseState

    with transaction.atomic():
        current = _locked_plan(actor, plan, None)
        if current.state != PlanState.SUBMITTED or current.case is None:
            raise ValidationError("只有报批中的规划可以退回征集。")
        if current.case.state not in (
            CaseState.RETURNED,
            CaseState.REJECTED,
            CaseState.WITHDRAWN,
        ):
            raise ValidationError("规划的审批事项仍在办理中，不能退回征集。")
        current = write_fields(actor=actor, instance=current, state=PlanState.OPEN)
    _copy(current, plan)
    return plan


def approve_plan(*, actor, plan: ThreeYearPlan, case) -> None:
    """The effect of an approved ``maintenance_plan`` case."""
    current = ThreeYearPlan._base_manager.select_for_update().get(pk=plan.pk)
    if current.state in (PlanState.APPROVED, PlanState.REJECTED):
        raise ValidationError(f"规划“{current}”当前为“{current.get_state_display()}”，不能批准。")
    write_fields(actor=actor, instance=current, state=PlanState.APPROVED, case=case)


def project_from_proposal(*, actor, proposal: PlanProposal) -> MaintenanceProject:
    """An approved plan's ranked item becomes a project in 申报."""
    with transaction.atomic():
        proposal = PlanProposal.objects.select_related("plan", "building__compound").get(
            pk=proposal.pk
        )
        if proposal.plan.state != PlanState.APPROVED or proposal.rank is None:
            raise ValidationError("只有已批准规划中列入排序的项目可以转为维修项目。")
        if proposal.projects.exists():
            raise ValidationError(f"“{proposal}”已转为维修项目。")
        service = MaintenanceProjectService()
        project, _ = service.create(
            actor=actor,
            data={
                "building": proposal.building,
                "organization": proposal.organization,
                "kind": proposal.kind,
                "title": proposal.title,
                "reason": proposal.note or f"列入{proposal.plan}（第 {proposal.rank} 位）。",
                "estimate": proposal.estimate,
                "funding_source": "财政预算资金",
                "year": proposal.year,
            },
        )
        project = write_fields(actor=actor, instance=project, proposal=proposal)
    return project


# Property services and funds ------------------------------------------------------------------
@register
class ServiceContractService(ObjectService):
    model = ServiceContract

    def prepare(self, *, actor, instance: ServiceContract) -> None:
        _fill_holder(instance)
        instance.provider = (instance.provider or "").strip()
        if isinstance(instance.scopes, list):
            instance.scopes = sorted(set(instance.scopes), key=_scope_order)

    def validate(self, *, actor, instance: ServiceContract, before: dict | None) -> None:
        # After full_clean: area and price are numbers now.
        instance.annual_amount = instance.yearly_amount()


def _scope_order(code: str) -> int:
    from .choices import ServiceScope

    values = list(ServiceScope.values)
    return values.index(code) if code in values else len(values)


class HolderService(ObjectService):
    """A budget or an expense: the holder filled from the compound when left empty."""

    def prepare(self, *, actor, instance) -> None:
        _fill_holder(instance)

    def validate(self, *, actor, instance, before: dict | None) -> None:
        if not instance.organization_id:
            raise ValidationError({"organization": "请选择单位或院落。"})


@register
class BudgetService(HolderService):
    model = Budget


@register
class ExpenseService(HolderService):
    model = Expense


@register
class StageRequirementService(ObjectService):
    """A region's own stage requirement; the national rows come with the system (read-only)."""

    model = StageRequirement

    def prepare(self, *, actor, instance: StageRequirement) -> None:
        if instance.pk is not None and instance.kind == VersionKind.NATIONAL:
            raise ValidationError(NATIONAL_READ_ONLY.replace("国家标准", "全国通用的须备资料规定"))
        instance.kind = VersionKind.LOCAL
