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
    from ..framework.objectactions import register_object_actions

    if TITLES_MENU not in MENU:
        register_menu(TITLES_MENU)
    register_object_actions(object_actions)


def object_actions(user, obj) -> list:
    """Buttons on the registry's pages (framework.objectactions): an organization's use
    certificates and issuing one (bureau), a compound's or building's titles and filing one."""
    from django.urls import reverse

    from ..framework.objectactions import ObjectAction
    from ..registry.models import Building, Compound, Organization, Room
    from .models import Title, UseCertificate
    from .services import can_issue

    actions: list[ObjectAction] = []
    if isinstance(obj, Organization) and user.has_model_perm(UseCertificate, "view"):
        url = reverse("titles:usecertificate_list")
        actions.append(ObjectAction("使用权证", f"{url}?organization={obj.pk}", icon="file"))
        if can_issue(user):
            url = reverse("titles:usecertificate_add")
            actions.append(ObjectAction("签发使用权证", f"{url}?organization={obj.pk}"))
    elif isinstance(obj, Room) and user.has_model_perm(UseCertificate, "view"):
        url = reverse("titles:usecertificate_list")
        actions.append(ObjectAction("使用权证", f"{url}?room={obj.pk}", icon="file"))
    elif isinstance(obj, Compound | Building) and user.has_model_perm(Title, "view"):
        name = "compound" if isinstance(obj, Compound) else "building"
        url = reverse("titles:title_list")
        actions.append(ObjectAction("权属登记", f"{url}?{name}={obj.pk}", icon="file"))
        if user.has_model_perm(Title, "add"):
            url = reverse("titles:title_add")
            actions.append(ObjectAction("新增权属登记", f"{url}?{name}={obj.pk}"))
    return actions
