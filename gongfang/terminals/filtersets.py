"""Filters of terminals, trips and positions (pages, API and exports share them)."""

from __future__ import annotations

import django_filters

from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter
from .models import LastPosition, Position, Terminal, Trip


class TerminalFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(
        lookup="vehicle__organization", field_name="vehicle__organization"
    )
    search_fields = ("phone__icontains", "vehicle__plate__icontains", "reported_plate__icontains")

    class Meta:
        model = Terminal
        fields = ["state", "protocol"]


class TripFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="vehicle__region", field_name="vehicle__region")
    unit = OrganizationSubtreeFilter(
        lookup="vehicle__organization", field_name="vehicle__organization"
    )
    start_from = django_filters.DateFilter(
        field_name="start_at", lookup_expr="date__gte", label="开始日期自"
    )
    start_to = django_filters.DateFilter(
        field_name="start_at", lookup_expr="date__lte", label="开始日期至"
    )
    search_fields = ("vehicle__plate__icontains",)

    class Meta:
        model = Trip
        fields = ["vehicle", "closed"]


class PositionFilterSet(BaseFilterSet):
    recorded_from = django_filters.IsoDateTimeFilter(
        field_name="recorded_at", lookup_expr="gte", label="定位时间自"
    )
    recorded_to = django_filters.IsoDateTimeFilter(
        field_name="recorded_at", lookup_expr="lt", label="定位时间至"
    )
    day = django_filters.DateFilter(field_name="recorded_at", lookup_expr="date", label="日期")

    class Meta:
        model = Position
        fields = ["vehicle", "terminal", "acc"]


class LastPositionFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="vehicle__region", field_name="vehicle__region")
    search_fields = ("vehicle__plate__icontains", "terminal__phone__icontains")

    class Meta:
        model = LastPosition
        fields = ["vehicle", "acc"]
