"""The 网上办理 menu group, the "新建审批事项" buttons on registry pages and the leader's
landing page."""

from __future__ import annotations

from ..accounts.roles import Role
from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

WORKFLOW_MENU = MenuGroup(
    "网上办理",
    items=(
        MenuItem("我的待办", "workflow.Case", "workflow:todo"),
        MenuItem("审批事项", "workflow.Case", "workflow:case_list"),
        MenuItem(
            "新建审批事项",
            "workflow.Case",
            "workflow:case_add",
            roles=frozenset({Role.BUREAU_ADMIN, Role.UNIT_ADMIN}),
        ),
        MenuItem("消息通知", "workflow.Case", "workflow:notification_list"),
        MenuItem("审批流程", "workflow.ProcessDefinition", "workflow:processdefinition_list"),
    ),
)


def register() -> None:
    from ..framework.objectactions import register_landing, register_object_actions
    from .views import leader_landing, new_case_actions, related_case_actions

    if WORKFLOW_MENU not in MENU:
        register_menu(WORKFLOW_MENU)
    register_object_actions(related_case_actions)
    register_object_actions(new_case_actions)
    register_landing(leader_landing)
