"""One filterset per registry model (pages, API and exports use the same)."""

from __future__ import annotations

import django_filters

from ..framework.filtersets import BaseFilterSet, NaturalKeyChoiceFilter, _scoped_choices
from ..framework.widgets import APISelect
from .choices import ROOM_SUBTYPES
from .models import (
    Building,
    Canteen,
    Compound,
    Floor,
    LeadershipQuota,
    Occupancy,
    Organization,
    ParkingLot,
    Person,
    Post,
    Region,
    Room,
)

ALL_SUBTYPES = [(s, s) for subs in ROOM_SUBTYPES.values() for s in subs]


class RegionSubtreeFilter(django_filters.CharFilter):
    """Rows anywhere under the region with this code (e.g. 370481 → all of 滕州市)."""

    def __init__(self, *, lookup: str, **kwargs):
        self.region_lookup = lookup
        kwargs.setdefault("label", "区划代码（含下级）")
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        from .models import Region

        region = Region.objects.filter(code=value.strip()).only("path").first()
        if region is None:
            return qs.none()
        prefix = (
            f"{self.region_lookup}__path__startswith" if self.region_lookup else "path__startswith"
        )
        return qs.filter(**{prefix: region.path})


class OrganizationSubtreeFilter(NaturalKeyChoiceFilter):
    """Rows of the chosen organization and all its sub-units (an organization's whole tree)."""

    def __init__(self, *, lookup: str, **kwargs):
        from .models import Organization

        self.organization_lookup = lookup
        kwargs.setdefault("label", "单位（含下属单位）")
        kwargs.setdefault("queryset", _scoped_choices(Organization))
        kwargs.setdefault("widget", APISelect)
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        prefix = (
            f"{self.organization_lookup}__path__startswith"
            if self.organization_lookup
            else "path__startswith"
        )
        return qs.filter(**{prefix: value.path})


def scoped_fk_filter(model, field_name: str, label: str) -> NaturalKeyChoiceFilter:
    """A filter by the id (or code) of a related object the account can see, chosen through the
    API."""
    return NaturalKeyChoiceFilter(
        field_name=field_name, queryset=_scoped_choices(model), widget=APISelect, label=label
    )


class RegionFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="", field_name="path")
    search_fields = ("name__icontains", "code__startswith")

    class Meta:
        model = Region
        fields = ["level", "parent"]


class OrganizationFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="", field_name="path")
    search_fields = ("name__icontains", "short_name__icontains", "uscc__iexact")

    class Meta:
        model = Organization
        fields = ["kind", "level", "standard_level", "status", "parent"]


class LeadershipQuotaFilterSet(BaseFilterSet):
    search_fields = ("organization__name__icontains",)

    class Meta:
        model = LeadershipQuota
        fields = ["organization", "grade"]


class CompoundFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="owner_org", field_name="owner_org")
    search_fields = ("name__icontains", "address__icontains", "land_certificate__icontains")

    class Meta:
        model = Compound
        fields = ["owner_org"]


class BuildingFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="compound__region", field_name="compound")
    unit = OrganizationSubtreeFilter(lookup="compound__owner_org", field_name="compound")
    search_fields = ("name__icontains", "compound__name__icontains")

    class Meta:
        model = Building
        fields = ["compound", "height_class", "title_status"]


class FloorFilterSet(BaseFilterSet):
    search_fields = ("name__icontains", "building__name__icontains")

    class Meta:
        model = Floor
        fields = ["building", "number"]


class RoomFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="floor__building__compound__region", field_name="floor")
    compound = scoped_fk_filter(Compound, "floor__building__compound", "院落")
    building = scoped_fk_filter(Building, "floor__building", "楼座")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    subtype = django_filters.ChoiceFilter(choices=ALL_SUBTYPES, label="用途")
    usable_area_min = django_filters.NumberFilter(
        field_name="usable_area", lookup_expr="gte", label="使用面积不小于"
    )
    usable_area_max = django_filters.NumberFilter(
        field_name="usable_area", lookup_expr="lte", label="使用面积不大于"
    )
    search_fields = ("number__istartswith", "name__icontains")

    class Meta:
        model = Room
        fields = ["floor", "category", "status", "organization"]


class PersonFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="organization__region", field_name="organization")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    search_fields = ("name__icontains", "number__iexact", "position__icontains")

    class Meta:
        model = Person
        fields = ["organization", "grade", "employment_status", "staffing_kind"]


class PostFilterSet(BaseFilterSet):
    current = django_filters.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label="在任"
    )
    search_fields = ("person__name__icontains", "position__icontains")

    class Meta:
        model = Post
        fields = ["person", "organization", "grade"]


class OccupancyFilterSet(BaseFilterSet):
    current = django_filters.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label="在用"
    )
    organization = scoped_fk_filter(Organization, "person__organization", "单位")
    search_fields = ("person__name__icontains", "room__number__istartswith")

    class Meta:
        model = Occupancy
        fields = ["person", "room", "is_primary"]


class ParkingLotFilterSet(BaseFilterSet):
    search_fields = ("name__icontains", "compound__name__icontains")

    class Meta:
        model = ParkingLot
        fields = ["compound", "kind"]


class CanteenFilterSet(BaseFilterSet):
    search_fields = ("name__icontains", "compound__name__icontains")

    class Meta:
        model = Canteen
        fields = ["compound"]
