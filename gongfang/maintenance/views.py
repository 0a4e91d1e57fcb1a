"""Pages of maintenance: the generic list/page/edit/delete of every model, a project's stage
actions, the plan's ranking, and the funds pages (planned vs spent, cost per m² and per person).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from ..framework import clock
from ..framework.text import is_number
from ..framework.versions import StaleObjectError
from ..framework.views import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView
from ..framework.views.generic import BaseObjectView
from . import filtersets, forms, gates, selectors, services, tables
from .choices import PlanState, Stage
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

PROJECT_RELATED = ("building__compound", "compound", "organization", "region", "case")


# Projects -------------------------------------------------------------------------------------
class MaintenanceProjectListView(ObjectListView):
    queryset = MaintenanceProject.objects.select_related(*PROJECT_RELATED)
    filterset = filtersets.MaintenanceProjectFilterSet
    table = tables.MaintenanceProjectTable
    filter_order = ("region", "unit", "stage", "kind", "year", "overdue", "over_budget")


# What a stage offers on the project page: (form key, title, form class, service, who may).
STAGE_ACTIONS = {
    Stage.PROPOSED: ("submit", "申请立项", forms.SubmitProjectForm),
    Stage.APPROVED: ("start", "开始实施（签订合同）", forms.StartWorksForm),
    Stage.IN_PROGRESS: ("accept", "竣工验收", forms.AcceptForm),
    Stage.ACCEPTED: ("evaluate", "项目评价", forms.EvaluateForm),
    Stage.EVALUATED: ("archive", "资料归档", forms.ArchiveForm),
}
BUREAU_ONLY = frozenset({"evaluate", "archive"})


def stage_steps(project: MaintenanceProject) -> list[dict[str, Any]]:
    """The six stages with which is done, current and to come (the page's stepper)."""
    order = list(Stage.values)
    here = order.index(project.stage)
    return [
        {"label": label, "done": n < here, "current": n == here}
        for n, (_value, label) in enumerate(Stage.choices)
    ]


class MaintenanceProjectView(ObjectView):
    queryset = MaintenanceProject.objects.select_related(*PROJECT_RELATED)
    template_name = "maintenance/project.html"
    attributes = (
        "compound",
        "building",
        "organization",
        "kind",
        "year",
        "funding_source",
        "estimate",
        "reason",
        "case",
        "approved_amount",
        "approved_on",
        "contractor",
        "contract_amount",
        "start_on",
        "planned_end_on",
        "accepted_on",
        "acceptance_result",
        "acceptance_note",
        "score",
        "evaluation",
        "archived_on",
        "proposal",
    )

    def get_extra_context(self, obj: MaintenanceProject) -> dict[str, Any]:
        user = self.request.user
        may_change = MaintenanceProject.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        action = STAGE_ACTIONS.get(obj.stage)
        form = None
        if action is not None and may_change:
            key, _title, form_class = action
            if (key not in BUREAU_ONLY or services.is_bureau(user)) and not (
                key == "submit" and services._case_running(obj)
            ):
                form = form_class(initial=self.stage_initial(obj, key))
        next_stage = {
            Stage.PROPOSED: gates.SUBMIT,
            Stage.APPROVED: Stage.IN_PROGRESS,
            Stage.IN_PROGRESS: Stage.ACCEPTED,
            Stage.EVALUATED: Stage.ARCHIVED,
        }.get(obj.stage)
        return {
            "attributes": self.filled_attributes(obj),
            "can_change": obj.stage == Stage.PROPOSED and user.has_model_perm(type(obj), "change"),
            "can_delete": obj.stage == Stage.PROPOSED and user.has_model_perm(type(obj), "delete"),
            "steps": stage_steps(obj),
            "stage_action": action,
            "stage_form": form,
            "stage_url": reverse("maintenance:project_stage", args=[obj.pk]),
            "requirements": gates.requirements_for(next_stage, obj.kind, obj.region)
            if next_stage
            else [],
            "missing": gates.missing(obj, next_stage) if next_stage else [],
            "reports": obj.progress_reports.order_by("-reported_on", "-pk")[:20],
            "payments": obj.payments.order_by("-paid_on", "-pk")[:50],
            "may_report": may_change and obj.stage == Stage.IN_PROGRESS,
            "may_pay": may_change
            and obj.stage in (Stage.IN_PROGRESS, Stage.ACCEPTED, Stage.EVALUATED),
            "today": clock.today(),
        }

    def filled_attributes(self, project: MaintenanceProject) -> tuple[str, ...]:
        """The particulars the project has so far (a proposal does not list twelve empty
        stage fields; on a phone the card stays short)."""
        return tuple(
            name
            for name in self.attributes
            if getattr(project, name) not in (None, "")
            or name in ("organization", "kind", "year", "estimate", "reason")
        )

    @staticmethod
    def stage_initial(project: MaintenanceProject, key: str) -> dict[str, Any]:
        today = clock.today()
        initial: dict[str, Any] = {"version": project.version}
        if key == "submit":
            initial["amount"] = project.estimate
        elif key == "start":
            initial["start_on"] = today
            initial["contract_amount"] = project.approved_amount
        elif key == "accept":
            initial.update(accepted_on=today, result="passed")
        elif key == "archive":
            initial["archived_on"] = today
        return initial


class MaintenanceProjectStageView(BaseObjectView):
    """POST: the stage form of the project page (申请立项, 实施, 验收, 评价, 归档)."""

    queryset = MaintenanceProject.objects.all()
    action = "change"

    def post(self, request, pk):
        project = self.get_object(pk)
        action = STAGE_ACTIONS.get(project.stage)
        if action is None:
            messages.error(request, "项目已归档，没有可办理的环节。")
            return HttpResponseRedirect(project.get_absolute_url())
        key, title, form_class = action
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, f"{title}：{error}")
            return HttpResponseRedirect(project.get_absolute_url())
        data = form.cleaned_data
        version = data.get("version")
        try:
            if key == "submit":
                case = services.submit_project(
                    actor=request.user,
                    project=project,
                    amount=data["amount"],
                    expected_version=version,
                )
                messages.success(request, f"已提交立项申请 {case.number}，等待机关事务管理局审核。")
            elif key == "start":
                services.start_works(
                    actor=request.user,
                    project=project,
                    contractor=data["contractor"],
                    contract_amount=data["contract_amount"],
                    start_on=data["start_on"],
                    planned_end_on=data["planned_end_on"],
                    expected_version=version,
                )
                messages.success(request, "项目已进入实施阶段。")
            elif key == "accept":
                services.accept(
                    actor=request.user,
                    project=project,
                    accepted_on=data["accepted_on"],
                    result=data["result"],
                    note=data["note"],
                    expected_version=version,
                )
                if project.stage == Stage.ACCEPTED:
                    messages.success(request, "已登记验收，项目验收合格。")
                else:
                    messages.warning(request, "已登记验收：验收不合格，项目继续实施整改。")
            elif key == "evaluate":
                services.evaluate(
                    actor=request.user,
                    project=project,
                    score=data["score"],
                    comment=data["comment"],
                    expected_version=version,
                )
                messages.success(request, "已完成项目评价。")
            else:
                services.archive(
                    actor=request.user,
                    project=project,
                    on=data["archived_on"],
                    expected_version=version,
                )
                messages.success(request, "项目资料已归档。")
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您不能办理此环节。")
        except (StaleObjectError, ValidationError) as exc:
            for message in exc.messages:
                messages.error(request, f"{title}：{message}")
        return HttpResponseRedirect(project.get_absolute_url())


class MaintenanceProjectEditView(ObjectEditView):
    queryset = MaintenanceProject.objects.all()
    form = forms.MaintenanceProjectForm


class MaintenanceProjectDeleteView(ObjectDeleteView):
    queryset = MaintenanceProject.objects.all()


# Progress reports and payments ----------------------------------------------------------------
class ProgressReportListView(ObjectListView):
    queryset = ProgressReport.objects.select_related("project")
    filterset = filtersets.ProgressReportFilterSet
    table = tables.ProgressReportTable


class ProgressReportView(ObjectView):
    queryset = ProgressReport.objects.select_related("project")


class ProgressReportEditView(ObjectEditView):
    queryset = ProgressReport.objects.all()
    form = forms.ProgressReportForm


class ProgressReportDeleteView(ObjectDeleteView):
    queryset = ProgressReport.objects.all()


class MaintenancePaymentListView(ObjectListView):
    queryset = MaintenancePayment.objects.select_related("project")
    filterset = filtersets.MaintenancePaymentFilterSet
    table = tables.MaintenancePaymentTable


class MaintenancePaymentView(ObjectView):
    queryset = MaintenancePayment.objects.select_related("project")


class MaintenancePaymentEditView(ObjectEditView):
    queryset = MaintenancePayment.objects.all()
    form = forms.MaintenancePaymentForm


class MaintenancePaymentDeleteView(ObjectDeleteView):
    queryset = MaintenancePayment.objects.all()


# Three-year plans -----------------------------------------------------------------------------
class ThreeYearPlanListView(ObjectListView):
    queryset = ThreeYearPlan.objects.select_related("region", "case")
    filterset = filtersets.ThreeYearPlanFilterSet
    table = tables.ThreeYearPlanTable


class ThreeYearPlanView(ObjectView):
    queryset = ThreeYearPlan.objects.select_related("region", "case")
    template_name = "maintenance/plan.html"
    attributes = ("region", "start_year", "title", "state", "case", "note")

    def get_extra_context(self, obj: ThreeYearPlan) -> dict[str, Any]:
        user = self.request.user
        may_rank = (
            obj.state == PlanState.OPEN
            and services.is_bureau(user)
            and ThreeYearPlan.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        )
        return {
            "can_change": obj.state == PlanState.OPEN and user.has_model_perm(type(obj), "change"),
            "can_delete": obj.state == PlanState.OPEN and user.has_model_perm(type(obj), "delete"),
            "rows": selectors.ranking_rows(obj),
            "may_rank": may_rank,
            "submit_form": forms.SubmitPlanForm(
                user=user, plan=obj, initial={"version": obj.version}
            )
            if may_rank
            else None,
            "may_propose": obj.state == PlanState.OPEN and user.has_model_perm(PlanProposal, "add"),
            "may_make_projects": obj.state == PlanState.APPROVED
            and user.has_model_perm(MaintenanceProject, "add"),
        }


class ThreeYearPlanRankView(BaseObjectView):
    """POST: the bureau's ranking (``rank_<id>`` numbers; empty: not in the plan) and, with
    ``submit``, the plan's submission as a case."""

    queryset = ThreeYearPlan.objects.all()
    action = "change"

    def post(self, request, pk):
        plan = self.get_object(pk)
        ranks: list[tuple[int, int]] = []
        for key, value in request.POST.items():
            if not key.startswith("rank_") or not value.strip():
                continue
            try:
                ranks.append((int(value), int(key[5:])))
            except ValueError:
                messages.error(request, f"排序须为整数（收到“{value[:20]}”）。")
                return HttpResponseRedirect(plan.get_absolute_url())
        order = [pk for _rank, pk in sorted(ranks)]
        try:
            services.rank_proposals(actor=request.user, plan=plan, order=order)
            if "submit" in request.POST:
                form = forms.SubmitPlanForm(request.POST, user=request.user, plan=plan)
                if not form.is_valid():
                    raise ValidationError("请选择报批单位。")
                case = services.submit_plan(
                    actor=request.user, plan=plan, applicant=form.cleaned_data["applicant"]
                )
                messages.success(request, f"规划已报批（{case.number}），等待领导签批。")
            else:
                messages.success(request, f"已保存排序：列入 {len(order)} 项。")
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except (StaleObjectError, ValidationError) as exc:
            for message in exc.messages:
                messages.error(request, message)
        return HttpResponseRedirect(plan.get_absolute_url())


class ProposalToProjectView(BaseObjectView):
    """POST: an approved plan's ranked item becomes a project in 申报."""

    queryset = PlanProposal.objects.all()
    action = "view"

    def post(self, request, pk):
        proposal = self.get_object(pk)
        try:
            project = services.project_from_proposal(actor=request.user, proposal=proposal)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"已转为维修项目“{project}”，请补充资料后申请立项。")
            return HttpResponseRedirect(project.get_absolute_url())
        return HttpResponseRedirect(proposal.plan.get_absolute_url())


class ThreeYearPlanEditView(ObjectEditView):
    queryset = ThreeYearPlan.objects.all()
    form = forms.ThreeYearPlanForm


class ThreeYearPlanDeleteView(ObjectDeleteView):
    queryset = ThreeYearPlan.objects.all()


class PlanProposalListView(ObjectListView):
    queryset = PlanProposal.objects.select_related("plan", "building__compound", "organization")
    filterset = filtersets.PlanProposalFilterSet
    table = tables.PlanProposalTable


class PlanProposalView(ObjectView):
    queryset = PlanProposal.objects.select_related("plan", "building__compound", "organization")


class PlanProposalEditView(ObjectEditView):
    queryset = PlanProposal.objects.all()
    form = forms.PlanProposalForm


class PlanProposalDeleteView(ObjectDeleteView):
    queryset = PlanProposal.objects.all()


# Property services and funds ------------------------------------------------------------------
class ServiceContractListView(ObjectListView):
    queryset = ServiceContract.objects.select_related(
        "compound", "building__compound", "organization", "region"
    )
    filterset = filtersets.ServiceContractFilterSet
    table = tables.ServiceContractTable


class ServiceContractView(ObjectView):
    queryset = ServiceContract.objects.select_related(
        "compound", "building__compound", "organization", "region"
    )
    attributes = (
        "compound",
        "building",
        "organization",
        "provider",
        "scopes",
        "area",
        "price",
        "price_period",
        "annual_amount",
        "start_on",
        "end_on",
        "note",
    )


class ServiceContractEditView(ObjectEditView):
    queryset = ServiceContract.objects.all()
    form = forms.ServiceContractForm


class ServiceContractDeleteView(ObjectDeleteView):
    queryset = ServiceContract.objects.all()


class BudgetListView(ObjectListView):
    queryset = Budget.objects.select_related("organization", "compound", "region")
    filterset = filtersets.BudgetFilterSet
    table = tables.BudgetTable


class BudgetView(ObjectView):
    queryset = Budget.objects.select_related("organization", "compound", "region")
    template_name = "maintenance/budget.html"
    attributes = ("organization", "compound", "year", "item", "planned", "note")

    def get_extra_context(self, obj: Budget) -> dict[str, Any]:
        return {"row": selectors.budget_rows([obj])[0]}


class BudgetEditView(ObjectEditView):
    queryset = Budget.objects.all()
    form = forms.BudgetForm


class BudgetDeleteView(ObjectDeleteView):
    queryset = Budget.objects.all()


class ExpenseListView(ObjectListView):
    queryset = Expense.objects.select_related("organization", "compound", "region")
    filterset = filtersets.ExpenseFilterSet
    table = tables.ExpenseTable


class ExpenseView(ObjectView):
    queryset = Expense.objects.select_related("organization", "compound", "region")


class ExpenseEditView(ObjectEditView):
    queryset = Expense.objects.all()
    form = forms.ExpenseForm


class ExpenseDeleteView(ObjectDeleteView):
    queryset = Expense.objects.all()


def _year(request) -> int:
    value = request.GET.get("year", "")
    this = clock.today().year
    return int(value) if is_number(value) and 2000 <= int(value) <= 2100 else this


class BudgetComparisonView(BaseObjectView):
    """预算执行: planned vs spent of every budget line of a year the account sees."""

    queryset = Budget.objects.select_related("organization", "compound")

    def get(self, request):
        year = _year(request)
        filterset = filtersets.BudgetFilterSet(
            request.GET, queryset=self.restricted().filter(year=year), request=request
        )
        budgets = filterset.qs if filterset.is_valid() else self.restricted().none()
        rows = selectors.budget_rows(
            budgets.order_by("organization__name", "compound__name", "item")[:200]
        )
        context = {
            **self.base_context(),
            "page_name": "预算执行",
            "year": year,
            "years": range(clock.today().year + 1, clock.today().year - 5, -1),
            "rows": rows,
            "planned": sum((r.budget.planned for r in rows), selectors.ZERO),
            "spent": sum((r.spent for r in rows), selectors.ZERO),
            "chart": selectors.budget_chart(rows[:30]),
        }
        return render(request, "maintenance/budget_comparison.html", context)


class CostComparisonView(BaseObjectView):
    """物业经费对比: a year's cost per m² and per person of each compound."""

    queryset = ServiceContract.objects.all()

    def get(self, request):
        year = _year(request)
        rows = selectors.cost_rows(request.user, year)
        rows.sort(key=lambda r: -(r.per_m2 or 0))
        context = {
            **self.base_context(),
            "page_name": "物业经费对比",
            "year": year,
            "years": range(clock.today().year + 1, clock.today().year - 5, -1),
            "rows": rows,
            "chart": selectors.cost_chart(rows[:30]),
        }
        return render(request, "maintenance/cost_comparison.html", context)


# Stage requirements (the gates' table) ----------------------------------------------------------
class StageRequirementListView(ObjectListView):
    queryset = StageRequirement.objects.select_related("region")
    filterset = filtersets.StageRequirementFilterSet
    table = tables.StageRequirementTable
    filter_order = ("kind", "region", "stage", "project_kind", "category")


class StageRequirementView(ObjectView):
    queryset = StageRequirement.objects.select_related("region")
    # The category's name is in the title (the field holds its code).
    attributes = (
        "kind",
        "region",
        "stage",
        "project_kind",
        "label",
        "count",
        "source",
        "effective_from",
        "effective_to",
    )

    def get_extra_context(self, obj: StageRequirement) -> dict[str, Any]:
        writable = (
            StageRequirement.objects.restrict(self.request.user, "change")
            .filter(pk=obj.pk)
            .exists()
        )
        return {"can_change": writable, "can_delete": writable}


class StageRequirementEditView(ObjectEditView):
    queryset = StageRequirement.objects.all()
    form = forms.StageRequirementForm


class StageRequirementDeleteView(ObjectDeleteView):
    queryset = StageRequirement.objects.all()
