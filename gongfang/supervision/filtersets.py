"""One filterset per model of supervision (pages, API and exports use the same)."""

from __future__ import annotations

import datetime

import django_filters
from django.core.exceptions import ValidationError

from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter
from ..standards.models import VersionKind
from .models import Anomaly, AnomalyState, RegionArea, RuleVersion, ScanNote
from .rules import LOCAL, Rule


def month_bounds(value: str) -> tuple[datetime.datetime, datetime.datetime]:
    """“2026-11” → the month's first and next month's first moment, local time."""
    try:
        year, month = (int(p) for p in value.split("-"))
        first = datetime.datetime(year, month, 1, tzinfo=LOCAL)
    except (ValueError, TypeError) as exc:
        raise ValidationError("月份格式应为 2026-11。") from exc
    following = datetime.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=LOCAL)
    return first, following


class MonthFilter(django_filters.CharFilter):
    def filter(self, qs, value):
        if not value:
            return qs
        try:
            first, following = month_bounds(value)
        except ValidationError:
            return qs.none()
        return qs.filter(**{f"{self.field_name}__gte": first, f"{self.field_name}__lt": following})


class AnomalyFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    rule = django_filters.ChoiceFilter(choices=Rule.choices, label="规则")
    state = django_filters.ChoiceFilter(choices=AnomalyState.choices, label="状态")
    month = MonthFilter(field_name="occurred_at", label="月份（如 2026-11）")
    day = django_filters.DateFilter(field_name="occurred_at__date", label="日期")
    search_fields = (
        "vehicle__plate__icontains",
        "summary__icontains",
        "organization__name__icontains",
    )

    class Meta:
        model = Anomaly
        fields = ["vehicle"]


class RuleVersionFilterSet(BaseFilterSet):
    rule = django_filters.ChoiceFilter(choices=Rule.choices, label="规则")
    kind = django_filters.ChoiceFilter(choices=VersionKind.choices, label="类别")
    search_fields = ("source__icontains", "notes__icontains")

    class Meta:
        model = RuleVersion
        fields = ["enabled"]


class RegionAreaFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    search_fields = ("region__name__icontains", "source__icontains")

    class Meta:
        model = RegionArea
        fields = ["kind"]


class ScanNoteFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    rule = django_filters.ChoiceFilter(choices=Rule.choices, label="规则")
    search_fields = ("vehicle__plate__icontains", "text__icontains")

    class Meta:
        model = ScanNote
        fields = ["vehicle"]
