"""The 车载终端 menu group."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

TERMINALS_MENU = MenuGroup(
    "车载终端",
    items=(
        MenuItem("终端台账", "terminals.Terminal", "terminals:terminal_list"),
        MenuItem("待绑定终端", "terminals.Terminal", "terminals:terminal_unknown"),
        MenuItem("行程", "terminals.Trip", "terminals:trip_list"),
        MenuItem("定位数据", "terminals.Position", "terminals:position_list"),
    ),
)


def register() -> None:
    if TERMINALS_MENU not in MENU:
        register_menu(TERMINALS_MENU)
