"""The 超标预警 menu group: the warning centre."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

COMPLIANCE_MENU = MenuGroup(
    "超标预警",
    items=(MenuItem("预警中心", "compliance.Warning", "compliance:warning_list"),),
)


def register() -> None:
    if COMPLIANCE_MENU not in MENU:
        register_menu(COMPLIANCE_MENU)
