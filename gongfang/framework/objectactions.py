"""Buttons and panels a higher app adds to a lower app's object pages, and where an account lands.

The registry's room page shows "新建审批事项" although the registry never imports the approval
engine: the engine registers a provider here, and ``framework/object.html`` renders whatever the
providers offer for the object (``{% object_actions %}``). Panels work the same way: the archives
add a "档案资料" card to every registry page through :func:`register_object_panels`, rendered by
``{% object_panels %}`` under the object's related cards. Likewise the dashboard asks
:func:`landing_for` whether an account opens on another page (a leader on his to-do list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class ObjectAction:
    label: str
    url: str
    icon: str = "plus"


@dataclass(frozen=True)
class ObjectPanel:
    """A card on another app's object page: ``template`` rendered with ``context`` (plus
    ``user`` and ``object``). ``order`` sorts the panels of several apps (lower first)."""

    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


ActionProvider = Callable[[object, models.Model], Iterable[ObjectAction]]
PanelProvider = Callable[[object, models.Model], Iterable[ObjectPanel]]
LandingProvider = Callable[[object], "str | None"]

ACTION_PROVIDERS: list[ActionProvider] = []
PANEL_PROVIDERS: list[PanelProvider] = []
LANDING_PROVIDERS: list[LandingProvider] = []


def register_object_actions(provider: ActionProvider) -> ActionProvider:
    """``provider(user, obj)`` returns the buttons for ``obj``'s page (none for other models)."""
    if provider not in ACTION_PROVIDERS:
        ACTION_PROVIDERS.append(provider)
    return provider


def object_actions(user, obj: models.Model) -> list[ObjectAction]:
    if user is None or not getattr(user, "is_authenticated", False) or obj is None:
        return []
    return [action for provider in ACTION_PROVIDERS for action in provider(user, obj)]


def register_object_panels(provider: PanelProvider) -> PanelProvider:
    """``provider(user, obj)`` returns the panels for ``obj``'s page (none for other models). The
    provider reads through scoped selectors: a panel never shows what the user may not see."""
    if provider not in PANEL_PROVIDERS:
        PANEL_PROVIDERS.append(provider)
    return provider


def object_panels(user, obj: models.Model) -> list[ObjectPanel]:
    if user is None or not getattr(user, "is_authenticated", False) or obj is None:
        return []
    panels = [panel for provider in PANEL_PROVIDERS for panel in provider(user, obj)]
    return sorted(panels, key=lambda panel: panel.order)


def register_landing(provider: LandingProvider) -> LandingProvider:
    """``provider(user)`` returns the URL the account opens on instead of the dashboard, or
    None."""
    if provider not in LANDING_PROVIDERS:
        LANDING_PROVIDERS.append(provider)
    return provider


def landing_for(user) -> str | None:
    for provider in LANDING_PROVIDERS:
        url = provider(user)
        if url:
            return url
    return None
