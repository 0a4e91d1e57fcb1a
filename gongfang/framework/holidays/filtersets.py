"""Filtersets of the holiday calendar (pages and API alike)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from ..filtersets import BaseFilterSet
from ..models import CalendarDay, HolidayYear
from ..text import is_number


def _year_or_text(value: str, year_field: str, text_fields: tuple[str, ...]) -> Q:
    """A search for a year number (``2027``) or a piece of text."""
    q = Q()
    for field in text_fields:
        q |= Q(**{f"{field}__icontains": value})
    if is_number(value) and len(value) <= 4:
        q |= Q(**{year_field: int(value)})
    return q


class HolidayYearFilterSet(BaseFilterSet):
    class Meta:
        model = HolidayYear
        fields = ["state"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(_year_or_text(value, "year", ("source", "note"))) if value else queryset
        )


class CalendarDayFilterSet(BaseFilterSet):
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="日期起")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="日期止")

    class Meta:
        model = CalendarDay
        fields = ["year", "kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(_year_or_text(value, "year__year", ("name",))) if value else queryset
