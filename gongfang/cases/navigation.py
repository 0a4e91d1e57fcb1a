"""The 审批结果 menu group: what approved cases recorded."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

CASES_MENU = MenuGroup(
    "审批结果",
    items=(
        MenuItem("出借、出租和用途变更", "cases.ApprovedUse", "cases:approveduse_list"),
        MenuItem("建设项目", "cases.ConstructionProject", "cases:constructionproject_list"),
    ),
)


def register() -> None:
    if CASES_MENU not in MENU:
        register_menu(CASES_MENU)
