"""The 维修与物业 menu group, the building/compound panel and the object buttons."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

MAINTENANCE_MENU = MenuGroup(
    "维修与物业",
    items=(
        MenuItem(
            "维修项目", "maintenance.MaintenanceProject", "maintenance:maintenanceproject_list"
        ),
        MenuItem(
            "维修付款", "maintenance.MaintenancePayment", "maintenance:maintenancepayment_list"
        ),
        MenuItem("实施进度", "maintenance.ProgressReport", "maintenance:progressreport_list"),
        MenuItem("三年维修规划", "maintenance.ThreeYearPlan", "maintenance:threeyearplan_list"),
        MenuItem("规划申报项目", "maintenance.PlanProposal", "maintenance:planproposal_list"),
        MenuItem("物业服务合同", "maintenance.ServiceContract", "maintenance:servicecontract_list"),
        MenuItem("经费预算", "maintenance.Budget", "maintenance:budget_list"),
        MenuItem("预算执行", "maintenance.Budget", "maintenance:budget_comparison"),
        MenuItem("经费支出", "maintenance.Expense", "maintenance:expense_list"),
        MenuItem("物业经费对比", "maintenance.ServiceContract", "maintenance:cost_comparison"),
        MenuItem(
            "各环节须备资料",
            "maintenance.StageRequirement",
            "maintenance:stagerequirement_list",
        ),
    ),
)


def register() -> None:
    from ..framework.objectactions import register_object_actions, register_object_panels

    if MAINTENANCE_MENU not in MENU:
        register_menu(MAINTENANCE_MENU)
    register_object_panels(history_panels)
    register_object_actions(object_actions)


def history_panels(user, obj) -> list:
    """The 维修记录 card on a building's or a compound's page (scoped: only projects the account
    sees)."""
    from ..framework.objectactions import ObjectPanel
    from ..registry.models import Building, Compound
    from .models import MaintenanceProject
    from .selectors import history_for

    if not isinstance(obj, Building | Compound) or not user.has_model_perm(
        MaintenanceProject, "view"
    ):
        return []
    projects = list(history_for(user, obj)[:10])
    name = "building" if isinstance(obj, Building) else "compound"
    return [
        ObjectPanel(
            "maintenance/history_panel.html",
            {"projects": projects, "filter": f"{name}={obj.pk}"},
            order=60,
        )
    ]


def object_actions(user, obj) -> list:
    """申报维修项目 from a building's or a compound's page."""
    from django.urls import reverse

    from ..framework.objectactions import ObjectAction
    from ..registry.models import Building, Compound
    from .models import MaintenanceProject

    if not isinstance(obj, Building | Compound) or not user.has_model_perm(
        MaintenanceProject, "add"
    ):
        return []
    name = "building" if isinstance(obj, Building) else "compound"
    url = f"{reverse('maintenance:maintenanceproject_add')}?{name}={obj.pk}"
    if user.scope_organization_id:  # a unit applies in its own name
        url += f"&organization={user.scope_organization_id}"
    return [ObjectAction("申报维修项目", url)]
