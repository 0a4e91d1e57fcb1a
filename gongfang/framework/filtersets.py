"""Base filterset: one per model, shared by list pages, the API and exports."""

from __future__ import annotations

from typing import ClassVar

import django_filters
from django.db import models
from django.db.models import Q

from .widgets import APISelect


def _scoped_choices(model):
    """Choices of a foreign-key filter: only what the requesting account can see."""

    def queryset(request):
        user = getattr(request, "user", None)
        return (
            model.objects.restrict(user, "view")
            if hasattr(model, "scope")
            else model.objects.none()
        )

    return queryset


def _fk_filter(field: models.ForeignKey) -> dict:
    return {
        "queryset": _scoped_choices(field.related_model),
        "widget": APISelect,
    }


class BaseFilterSet(django_filters.FilterSet):
    """Adds ``q`` (free-text search over ``search_fields``); foreign keys filter by scoped id."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": django_filters.ModelChoiceFilter, "extra": _fk_filter},
        models.OneToOneField: {
            "filter_class": django_filters.ModelChoiceFilter,
            "extra": _fk_filter,
        },
    }

    q = django_filters.CharFilter(method="search", label="搜索")

    search_fields: ClassVar[tuple[str, ...]] = ()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{field: value})
        return queryset.filter(q)
