"""Template context every page needs: the navigation of the user's allowed models."""

from __future__ import annotations

from .navigation import menu_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": []}
    return {"nav_menu": menu_for(user)}
