"""Pages of maintenance: ``maintenance:<model>_list`` … for every model, a project's stage form,
the plan's ranking, and the funds pages."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "maintenance"


def crud(prefix: str, name: str, list_view, view, edit, delete) -> list:
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", view.as_view(), name=name),
        path(f"{prefix}/<int:pk>/edit/", edit.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete.as_view(), name=f"{name}_delete"),
    ]


v = views
urlpatterns = [
    # /maintenance/ opens the projects, the module's main list (the menu's first entry).
    path("", v.MaintenanceProjectListView.as_view(), name="index"),
    *crud(
        "projects",
        "maintenanceproject",
        v.MaintenanceProjectListView,
        v.MaintenanceProjectView,
        v.MaintenanceProjectEditView,
        v.MaintenanceProjectDeleteView,
    ),
    path("projects/<int:pk>/stage/", v.MaintenanceProjectStageView.as_view(), name="project_stage"),
    *crud(
        "progress",
        "progressreport",
        v.ProgressReportListView,
        v.ProgressReportView,
        v.ProgressReportEditView,
        v.ProgressReportDeleteView,
    ),
    *crud(
        "payments",
        "maintenancepayment",
        v.MaintenancePaymentListView,
        v.MaintenancePaymentView,
        v.MaintenancePaymentEditView,
        v.MaintenancePaymentDeleteView,
    ),
    *crud(
        "plans",
        "threeyearplan",
        v.ThreeYearPlanListView,
        v.ThreeYearPlanView,
        v.ThreeYearPlanEditView,
        v.ThreeYearPlanDeleteView,
    ),
    path("plans/<int:pk>/rank/", v.ThreeYearPlanRankView.as_view(), name="plan_rank"),
    *crud(
        "proposals",
        "planproposal",
        v.PlanProposalListView,
        v.PlanProposalView,
        v.PlanProposalEditView,
        v.PlanProposalDeleteView,
    ),
    path(
        "proposals/<int:pk>/project/",
        v.ProposalToProjectView.as_view(),
        name="proposal_project",
    ),
    *crud(
        "contracts",
        "servicecontract",
        v.ServiceContractListView,
        v.ServiceContractView,
        v.ServiceContractEditView,
        v.ServiceContractDeleteView,
    ),
    *crud(
        "budgets",
        "budget",
        v.BudgetListView,
        v.BudgetView,
        v.BudgetEditView,
        v.BudgetDeleteView,
    ),
    path("budgets/execution/", v.BudgetComparisonView.as_view(), name="budget_comparison"),
    path("costs/", v.CostComparisonView.as_view(), name="cost_comparison"),
    *crud(
        "expenses",
        "expense",
        v.ExpenseListView,
        v.ExpenseView,
        v.ExpenseEditView,
        v.ExpenseDeleteView,
    ),
    *crud(
        "requirements",
        "stagerequirement",
        v.StageRequirementListView,
        v.StageRequirementView,
        v.StageRequirementEditView,
        v.StageRequirementDeleteView,
    ),
]
