"""One filterset per standards model (pages, API and exports use the same)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from ..framework.filtersets import BaseFilterSet
from ..registry.models import Region
from .models import (
    Clause,
    GradeEquivalence,
    OfficeLimit,
    RuleParameter,
    ServiceAllowance,
    StandardVersion,
    VersionKind,
    region_prefixes,
)


class InForceFilter(django_filters.DateFilter):
    """Versions (or rows of versions) in force on the given day."""

    def filter(self, qs, value):
        return qs.in_force(value) if value else qs


class AppliesToFilter(django_filters.CharFilter):
    """Versions that apply to the region with this code: the national ones and the local ones of
    the region and its ancestors (a 滕州市 code lists 山东省's version)."""

    def __init__(self, *, lookup: str = "", **kwargs):
        self.version_lookup = lookup
        kwargs.setdefault("label", "适用于区划（代码）")
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        region = Region.objects.filter(code=value.strip()).only("path").first()
        if region is None:
            return qs.none()
        p = self.version_lookup
        return qs.filter(
            Q(**{f"{p}kind": VersionKind.NATIONAL})
            | Q(**{f"{p}region__path__in": region_prefixes(region.path)})
        )


class EditableFilter(django_filters.BooleanFilter):
    """Only versions the requesting account may change (choices of a row's version)."""

    def filter(self, qs, value):
        if not value:
            return qs
        user = getattr(self.parent.request, "user", None)
        return qs.filter(pk__in=StandardVersion.objects.restrict(user, "change").values("pk"))


class StandardVersionFilterSet(BaseFilterSet):
    kind = django_filters.ChoiceFilter(choices=VersionKind.choices, label="类别")
    applies_to = AppliesToFilter()
    in_force_on = InForceFilter(label="在此日期有效")
    editable = EditableFilter(label="只看我可以编辑的", widget=forms.CheckboxInput)
    search_fields = ("name__icontains", "source__icontains", "region__name__icontains")

    class Meta:
        model = StandardVersion
        fields = ["kind", "region"]


class VersionRowFilterSet(BaseFilterSet):
    """Shared filters of the rows: their version, its kind, its place and date."""

    kind = django_filters.ChoiceFilter(
        field_name="version__kind", choices=VersionKind.choices, label="版本类别"
    )
    applies_to = AppliesToFilter(lookup="version__")
    in_force_on = InForceFilter(label="版本在此日期有效")


class OfficeLimitFilterSet(VersionRowFilterSet):
    search_fields = ("version__name__icontains", "clause__icontains")

    class Meta:
        model = OfficeLimit
        fields = ["version", "standard_level", "grade", "toilet_allowed"]


class GradeEquivalenceFilterSet(VersionRowFilterSet):
    search_fields = ("rank_title__icontains", "version__name__icontains")

    class Meta:
        model = GradeEquivalence
        fields = ["version", "grade"]


class ServiceAllowanceFilterSet(VersionRowFilterSet):
    search_fields = ("version__name__icontains", "clause__icontains")

    class Meta:
        model = ServiceAllowance
        fields = ["version", "standard_level"]


class RuleParameterFilterSet(VersionRowFilterSet):
    search_fields = ("version__name__icontains", "clause__icontains")

    class Meta:
        model = RuleParameter
        fields = ["version", "key"]


class ClauseFilterSet(VersionRowFilterSet):
    search_fields = ("title__icontains", "text__icontains", "version__name__icontains")

    class Meta:
        model = Clause
        fields = ["version", "key"]
