"""Buttons a higher app adds to a lower app's object pages, and where an account lands.

The registry's room page shows "新建审批事项" although the registry never imports the approval
engine: the engine registers a provider here, and ``framework/object.html`` renders whatever the
providers offer for the object (``{% object_actions %}``). Likewise the dashboard asks
:func:`landing_for` whether an account opens on another page (a leader on his to-do list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class ObjectAction:
    label: str
    url: str
    icon: str = "plus"


ActionProvider = Callable[[object, models.Model], Iterable[ObjectAction]]
LandingProvider = Callable[[object], "str | None"]

ACTION_PROVIDERS: list[ActionProvider] = []
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
