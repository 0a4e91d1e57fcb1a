"""The 权属与使用权证 menu group."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

TITLES_MENU = MenuGroup(
    "权属与使用权证",
    items=(
        MenuItem("权属登记", "titles.Title", "titles:title_list"),
        MenuItem("使用权证", "titles.UseCertificate", "titles:usecertificate_list"),
    ),
)


def register() -> None:
    if TITLES_MENU not in MENU:
        register_menu(TITLES_MENU)
