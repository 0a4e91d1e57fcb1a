"""One filterset per model of titles (pages, API and exports use the same)."""

from __future__ import annotations

import django_filters

from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter, scoped_fk_filter
from ..registry.models import Building, Compound, Room
from .models import Title, UseCertificate


class TitleFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="holder", field_name="holder")
    compound = scoped_fk_filter(Compound, "compound", "院落")
    building = scoped_fk_filter(Building, "building", "楼座")
    search_fields = (
        "certificate_number__icontains",
        "compound__name__icontains",
        "building__name__icontains",
        "building__compound__name__icontains",
        "holder__name__icontains",
        "source_document__icontains",
    )

    class Meta:
        model = Title
        fields = ["kind", "holder", "held_centrally"]


class UseCertificateFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    room = scoped_fk_filter(Room, "rooms", "房间")
    issued_after = django_filters.DateFilter(
        field_name="issued_on", lookup_expr="gte", label="发证日期不早于"
    )
    issued_before = django_filters.DateFilter(
        field_name="issued_on", lookup_expr="lte", label="发证日期不晚于"
    )
    search_fields = ("number__icontains", "organization__name__icontains")

    class Meta:
        model = UseCertificate
        fields = ["organization", "state"]
