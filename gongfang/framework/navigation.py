"""The main menu: groups of model list pages, each shown only to accounts that may view it."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class MenuItem:
    label: str
    model: str  # "app_label.ModelName"
    url_name: str
    # When set, only accounts holding one of these roles see the item (besides the permission).
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MenuGroup:
    label: str
    items: tuple[MenuItem, ...]


MENU: list[MenuGroup] = []


def register_menu(group: MenuGroup) -> None:
    MENU.append(group)


def menu_for(user) -> list[dict]:
    result = []
    for group in MENU:
        items = [
            {"label": item.label, "url": reverse(item.url_name)}
            for item in group.items
            if user.has_model_perm(apps.get_model(item.model), "view")
            and (not item.roles or any(user.has_role(role) for role in item.roles))
        ]
        if items:
            result.append({"label": group.label, "items": items})
    return result
