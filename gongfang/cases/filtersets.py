"""One filterset per model of cases (the pages use them)."""

from __future__ import annotations

import django_filters

from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter, scoped_fk_filter
from ..registry.models import Room
from .models import ApprovedUse, ConstructionProject


class ApprovedUseFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(
        lookup="room__floor__building__compound__region", field_name="region"
    )
    unit = OrganizationSubtreeFilter(lookup="room__organization", field_name="room__organization")
    room = scoped_fk_filter(Room, "room", "房间")
    ends_after = django_filters.DateFilter(
        field_name="ends_on", lookup_expr="gte", label="截止日期不早于"
    )
    ends_before = django_filters.DateFilter(
        field_name="ends_on", lookup_expr="lte", label="截止日期不晚于"
    )
    search_fields = (
        "case__number__icontains",
        "room__number__icontains",
        "room__floor__building__compound__name__icontains",
        "counterparty__name__icontains",
        "party__icontains",
        "agreement_number__icontains",
    )

    class Meta:
        model = ApprovedUse
        fields = ["use"]


class ConstructionProjectFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="organization__region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    search_fields = ("name__icontains", "case__number__icontains", "location__icontains")

    class Meta:
        model = ConstructionProject
        fields = ["kind"]
