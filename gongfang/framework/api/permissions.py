"""API permission: the account's role must allow the action the HTTP method asks for.

Which rows the action reaches is the queryset's business (``restrict``); this class only answers
whether the account may take the action on the model at all, so a refusal is 403 while an id
outside the scope is 404.
"""

from __future__ import annotations

from django.db import models
from rest_framework.permissions import BasePermission

from ..services import ACTION_NAMES

# HTTP method -> the action of ``User.has_model_perm`` / ``QuerySet.restrict``.
METHOD_ACTIONS: dict[str, str] = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def action_for(method: str | None) -> str:
    """The model action an HTTP method performs (unknown methods only read)."""
    return METHOD_ACTIONS.get((method or "GET").upper(), "view")


def view_model(view) -> type[models.Model] | None:
    """The model a view works on, or None for views without one (API root, token)."""
    queryset = getattr(view, "queryset", None)
    return queryset.model if queryset is not None else None


class ScopedModelPermission(BasePermission):
    """Authenticated, active, and holding a role that allows the method's action on the model."""

    message = "您没有执行该操作的权限。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        model = view_model(view)
        if model is None:
            return True
        action = action_for(request.method)
        if user.has_model_perm(model, action):
            return True
        self.message = f"您没有{ACTION_NAMES[action]}{model._meta.verbose_name}的权限。"
        return False


class ReadersMayAct(BasePermission):
    """For a step that a service authorizes (confirm, sign, answer): the account must read the
    model; who may take the step on which object is the service's to decide."""

    message = "您没有执行该操作的权限。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        model = view_model(view)
        if model is None or user.has_model_perm(model, "view"):
            return True
        self.message = f"您没有查看{model._meta.verbose_name}的权限。"
        return False
