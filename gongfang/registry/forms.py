"""Create/edit forms of the registry: scoped choices, date inputs; the service validates."""

from __future__ import annotations

from django import forms

from ..framework.forms import ScopedModelForm
from .choices import ROOM_SUBTYPE_CHOICES
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


class RegionForm(ScopedModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "short_name",
            "uscc",
            "kind",
            "level",
            "standard_level",
            "parent",
            "region",
            "staffing_quota",
            "institution_staffing_quota",
            "status",
            "abolished_on",
            "successor",
        ]


class LeadershipQuotaForm(ScopedModelForm):
    class Meta:
        model = LeadershipQuota
        fields = ["organization", "grade", "count"]


class CompoundForm(ScopedModelForm):
    class Meta:
        model = Compound
        fields = [
            "name",
            "region",
            "owner_org",
            "address",
            "land_area",
            "land_certificate",
            "lng",
            "lat",
        ]


class BuildingForm(ScopedModelForm):
    class Meta:
        model = Building
        fields = [
            "compound",
            "name",
            "floors_above",
            "floors_below",
            "building_area",
            "usable_area",
            "year_built",
            "height_class",
            "title_status",
        ]


class FloorForm(ScopedModelForm):
    class Meta:
        model = Floor
        fields = ["building", "number", "name"]


class RoomForm(ScopedModelForm):
    subtype = forms.ChoiceField(
        label="用途",
        required=False,
        choices=[("", "---------"), *ROOM_SUBTYPE_CHOICES],
        help_text="按用房类别选择；技术业务用房、其他可不填",
        widget=forms.Select(attrs={"data-optgroup-follows": "id_category"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A value recorded before the list of subtypes was fixed stays selectable.
        current = self.initial.get("subtype")
        known = {value for _, group in ROOM_SUBTYPE_CHOICES for value, _ in group}
        if current and current not in known:
            self.fields["subtype"].choices = [
                *self.fields["subtype"].choices,
                ("其他（原值）", [(current, current)]),
            ]

    class Meta:
        model = Room
        fields = [
            "floor",
            "number",
            "name",
            "category",
            "subtype",
            "usable_area",
            "building_area",
            "organization",
            "status",
            "status_since",
        ]


class PersonForm(ScopedModelForm):
    class Meta:
        model = Person
        fields = [
            "organization",
            "number",
            "name",
            "position",
            "grade",
            "rank_title",
            "staffing_kind",
            "employment_status",
            "status_changed_on",
            "phone",
        ]


class PostForm(ScopedModelForm):
    class Meta:
        model = Post
        fields = ["person", "organization", "position", "grade", "started_on", "ended_on"]


class OccupancyForm(ScopedModelForm):
    class Meta:
        model = Occupancy
        fields = ["person", "room", "started_on", "ended_on", "is_primary"]


class ParkingLotForm(ScopedModelForm):
    class Meta:
        model = ParkingLot
        fields = ["compound", "name", "kind", "spaces"]


class CanteenForm(ScopedModelForm):
    class Meta:
        model = Canteen
        fields = ["compound", "name", "usable_area", "seats"]
