"""The ledger's menu entry: import, templates, exports and the batch history on one page."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

LEDGER_MENU = MenuGroup(
    "台账导入导出",
    items=(MenuItem("导入导出", "ledger.ImportBatch", "ledger:index"),),
)


def register() -> None:
    if LEDGER_MENU not in MENU:
        register_menu(LEDGER_MENU)
