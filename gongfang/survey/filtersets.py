"""One filterset per model of survey (pages, API and exports use the same)."""

from __future__ import annotations

import django_filters

from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import RegionSubtreeFilter
from .models import Decision, SurveyBatch, SurveyConfirmation, SurveyDrawing, SurveyItem


class SurveyBatchFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    search_fields = ("name__icontains", "company__icontains", "responsible__icontains")

    class Meta:
        model = SurveyBatch
        fields = ["state"]


class SurveyDrawingFilterSet(BaseFilterSet):
    usable = django_filters.BooleanFilter(method="filter_usable", label="可用")
    search_fields = ("filename__icontains", "batch__name__icontains")

    class Meta:
        model = SurveyDrawing
        fields = ["batch", "format"]

    def filter_usable(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(error_count=0, room_count__gt=0)
        return queryset.exclude(error_count=0, room_count__gt=0)


class SurveyItemFilterSet(BaseFilterSet):
    disputed = django_filters.BooleanFilter(method="filter_disputed", label="有异议")
    search_fields = ("number__icontains", "name__icontains", "batch__name__icontains")

    class Meta:
        model = SurveyItem
        fields = ["batch", "kind", "beyond_tolerance", "organization"]

    def filter_disputed(self, queryset, name, value):
        if value is None:
            return queryset
        from django.db.models import Q

        q = (
            Q(unit_decision=Decision.DISPUTED)
            | Q(surveyor_decision=Decision.DISPUTED)
            | Q(bureau_decision=Decision.DISPUTED)
        )
        return queryset.filter(q) if value else queryset.exclude(q)


class SurveyConfirmationFilterSet(BaseFilterSet):
    search_fields = ("reason__icontains",)

    class Meta:
        model = SurveyConfirmation
        fields = ["batch", "party", "decision"]
