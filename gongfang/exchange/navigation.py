"""The 数据交换 menu entry."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

EXCHANGE_MENU = MenuGroup(
    "数据交换",
    items=(MenuItem("报送包收发与密钥", "exchange.Package", "exchange:home"),),
)


def register() -> None:
    if EXCHANGE_MENU not in MENU:
        register_menu(EXCHANGE_MENU)
