"""The case kinds of maintenance on the approval engine, registered by ``MaintenanceConfig.ready``.

``maintenance_project`` (维修项目立项): a unit applies for a proposed project with the amount it
asks for; the bureau reviews, the leader signs; the effect moves the project to 立项 with that
amount. ``maintenance_plan`` (三年维修规划): the bureau's ranked plan goes to the leader; the
effect approves the plan (its ranked items may then become projects).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from ..cases.kinds.base import BaseKind, KindForm
from ..workflow.choices import CaseKind
from ..workflow.kinds import Change, Drafted, SubjectRef
from . import gates, services
from .choices import PlanState, Stage
from .models import MaintenanceProject, ThreeYearPlan


class ProjectForm(KindForm):
    project = forms.ModelChoiceField(label="维修项目", queryset=MaintenanceProject.objects.none())
    amount = forms.DecimalField(
        label="申请立项金额（元）",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="一般为估算金额",
    )

    def setup(self) -> None:
        projects = self.visible(MaintenanceProject).filter(stage=Stage.PROPOSED)
        if self.applicant is not None:
            projects = projects.filter(organization__path__startswith=self.applicant.path)
        self.fields["project"].queryset = projects.select_related("building", "compound")


class ProjectKind(BaseKind):
    kind = CaseKind.MAINTENANCE_PROJECT
    form = ProjectForm
    verb = "立项"

    def drafted(self, data, payload, applicant) -> Drafted:
        project = data["project"]
        target = project.target
        return Drafted(
            payload=payload,
            title=f"{project.title}（{project.get_kind_display()}）立项"[:200],
            subjects=[SubjectRef(obj=target, label=str(target))],
        )

    @staticmethod
    def project_of(case) -> MaintenanceProject | None:
        pk = (case.payload or {}).get("project")
        return MaintenanceProject.objects.filter(pk=pk).first() if pk else None

    def preview(self, case) -> list[Change]:
        project = self.project_of(case)
        if project is None:
            return []
        amount = Decimal(case.payload.get("amount") or "0")
        url = project.get_absolute_url()
        return [
            Change("维修项目", str(project), "阶段", project.get_stage_display(), "立项", url=url),
            Change("维修项目", str(project), "批准金额（元）", "—", f"{amount:,.2f}", url=url),
        ]

    def problems(self, case) -> list[str]:
        project = self.project_of(case)
        if project is None:
            return ["所申请的维修项目已被删除，无法办理。"]
        if project.stage != Stage.PROPOSED:
            return [f"维修项目“{project}”已处于“{project.get_stage_display()}”阶段，无须再立项。"]
        return gates.missing(project, gates.SUBMIT)

    def apply(self, *, actor, case) -> dict[str, Any]:
        self.check_problems(case)
        project = self.project_of(case)
        amount = Decimal(case.payload["amount"])
        services.approve_project(
            actor=self.authority(case, actor), project=project, amount=amount, case=case
        )
        return {"project": project.pk, "approved_amount": str(amount)}


class PlanForm(KindForm):
    plan = forms.ModelChoiceField(label="三年维修规划", queryset=ThreeYearPlan.objects.none())

    def setup(self) -> None:
        self.fields["plan"].queryset = self.visible(ThreeYearPlan).filter(
            state__in=(PlanState.OPEN, PlanState.SUBMITTED)
        )


class PlanKind(BaseKind):
    kind = CaseKind.MAINTENANCE_PLAN
    form = PlanForm
    verb = "批准"

    def drafted(self, data, payload, applicant) -> Drafted:
        plan = data["plan"]
        return Drafted(
            payload=payload,
            title=f"{plan}（{plan.years_label}）报批"[:200],
            subjects=[SubjectRef(obj=applicant, label=str(applicant))],
        )

    @staticmethod
    def plan_of(case) -> ThreeYearPlan | None:
        pk = (case.payload or {}).get("plan")
        return ThreeYearPlan.objects.filter(pk=pk).first() if pk else None

    def preview(self, case) -> list[Change]:
        plan = self.plan_of(case)
        if plan is None:
            return []
        ranked = plan.proposals.filter(rank__isnull=False).select_related("building__compound")
        url = plan.get_absolute_url()
        changes = [
            Change("三年维修规划", str(plan), "状态", plan.get_state_display(), "已批准", url=url)
        ]
        for proposal in ranked.order_by("rank"):
            changes.append(
                Change(
                    "规划项目",
                    str(proposal),
                    f"第 {proposal.rank} 位",
                    "",
                    f"{proposal.year} 年，{proposal.estimate:,.2f} 元",
                    operation="create",
                )
            )
        return changes

    def problems(self, case) -> list[str]:
        plan = self.plan_of(case)
        if plan is None:
            return ["所报批的三年维修规划已被删除，无法办理。"]
        if plan.state == PlanState.APPROVED:
            return [f"规划“{plan}”已批准。"]
        if not plan.proposals.filter(rank__isnull=False).exists():
            return [f"规划“{plan}”没有列入排序的项目。"]
        return []

    def apply(self, *, actor, case) -> dict[str, Any]:
        self.check_problems(case)
        plan = self.plan_of(case)
        services.approve_plan(actor=self.authority(case, actor), plan=plan, case=case)
        return {"plan": plan.pk}


MAINTENANCE_PROJECT = ProjectKind()
MAINTENANCE_PLAN = PlanKind()
