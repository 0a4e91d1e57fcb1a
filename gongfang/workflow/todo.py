"""Cards an app above the approval engine adds to the to-do page (我的待办).

The to-do page lists the engine's own tasks; a unit also owes other work — a finding of an
inspection to rectify, an urge to answer. Those apps sit above the engine, so it never imports
them: each registers a provider here (in its ``ready()``), and the page renders the panels the
providers return for the account (``framework.objectactions.ObjectPanel``: template and context).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..framework.objectactions import ObjectPanel

TodoPanelProvider = Callable[[object], Iterable[ObjectPanel]]

TODO_PROVIDERS: list[TodoPanelProvider] = []


def register_todo_panel(provider: TodoPanelProvider) -> TodoPanelProvider:
    """``provider(user)`` returns the cards for ``user``'s to-do page (none when it has nothing);
    it reads through scoped selectors."""
    if provider not in TODO_PROVIDERS:
        TODO_PROVIDERS.append(provider)
    return provider


def todo_panels(user) -> list[ObjectPanel]:
    panels = [panel for provider in TODO_PROVIDERS for panel in provider(user)]
    return sorted(panels, key=lambda panel: panel.order)


def render_todo_panels(request) -> str:
    """The registered cards for the request's account, rendered (our own autoescaped
    templates)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    user = request.user
    return mark_safe(
        "".join(
            render_to_string(panel.template, {**panel.context, "user": user}, request=request)
            for panel in todo_panels(user)
        )
    )
