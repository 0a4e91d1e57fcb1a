"""URL patterns every model with the generic pages shares (``<name>_list``, ``_add``, ``<name>``,
``_edit``, ``_delete``, the names ``framework.views.generic`` reverses)."""

from __future__ import annotations

from django.urls import path


def object_urls(prefix: str, name: str, listing, detail, edit, delete) -> list:
    """The five generic pages of one model under ``prefix/``, named after ``name``."""
    return [
        path(f"{prefix}/", listing.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", detail.as_view(), name=name),
        path(f"{prefix}/<int:pk>/edit/", edit.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete.as_view(), name=f"{name}_delete"),
    ]
