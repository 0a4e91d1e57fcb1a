"""The 督查整改 menu group and the buttons inspections adds to the registry's pages."""

from __future__ import annotations

from ..accounts.roles import Role
from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

# Tips and assessment dates belong to no unit: a unit's account would only ever see empty lists.
REGION_ROLES = frozenset({Role.BUREAU_ADMIN, Role.SUPERVISOR, Role.LEADER})

INSPECTIONS_MENU = MenuGroup(
    "督查整改",
    items=(
        MenuItem("督查计划", "inspections.InspectionPlan", "inspections:inspectionplan_list"),
        MenuItem("督查检查", "inspections.Inspection", "inspections:inspection_list"),
        MenuItem("问题线索", "inspections.Tip", "inspections:tip_list", REGION_ROLES),
        MenuItem("实地测量", "inspections.Measurement", "inspections:measurement_list"),
        MenuItem("督查清单", "inspections.Checklist", "inspections:checklist_list"),
        MenuItem(
            "政府考核日期",
            "inspections.AssessmentDate",
            "inspections:assessmentdate_list",
            REGION_ROLES,
        ),
    ),
)


def register() -> None:
    from ..framework.objectactions import register_object_actions

    if INSPECTIONS_MENU not in MENU:
        register_menu(INSPECTIONS_MENU)
    register_object_actions(object_actions)


def object_actions(user, obj) -> list:
    """An organization's inspections (and, for the bureau and supervisors, its tips); a room's
    measurements."""
    from django.urls import reverse

    from ..framework.objectactions import ObjectAction
    from ..registry.models import Organization, Room
    from .models import Inspection, Measurement, Tip

    actions: list[ObjectAction] = []
    if isinstance(obj, Organization) and user.has_model_perm(Inspection, "view"):
        url = reverse("inspections:inspection_list")
        actions.append(ObjectAction("督查检查", f"{url}?unit={obj.pk}", icon="checklist"))
        if user.has_model_perm(Tip, "view") and getattr(user, "scope_region_id", None):
            url = reverse("inspections:tip_list")
            actions.append(ObjectAction("问题线索", f"{url}?unit={obj.pk}"))
    elif (
        isinstance(obj, Room)
        and user.has_model_perm(Measurement, "view")
        and Measurement.objects.restrict(user, "view").filter(room=obj).exists()
    ):
        url = reverse("inspections:measurement_list")
        actions.append(ObjectAction("实地测量", f"{url}?room={obj.pk}"))
    return actions
