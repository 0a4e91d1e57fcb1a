"""Filtersets of archives, shared by the list pages, the API and the exports."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType

from ..framework.filtersets import BaseFilterSet, ContentTypeChoiceField
from ..registry.filtersets import RegionSubtreeFilter
from .models import Document, DocumentCategory
from .subjects import registered_models


def _subject_types(request):
    """Only the models that carry documents."""
    types = ContentType.objects.get_for_models(*registered_models(), for_concrete_models=False)
    return ContentType.objects.filter(pk__in=[ct.pk for ct in types.values()]).order_by("model")


class SubjectTypeFilter(django_filters.ModelChoiceFilter):
    field_class = ContentTypeChoiceField

    def __init__(self, **kwargs):
        super().__init__(queryset=_subject_types, **kwargs)


def _date_filter(field_name: str, lookup: str, label: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class DocumentFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    category = django_filters.ModelChoiceFilter(
        queryset=DocumentCategory.objects.order_by("order", "pk"), label="类别"
    )
    subject_type = SubjectTypeFilter(label="对象类型")
    subject_id = django_filters.NumberFilter(label="对象编号", min_value=1, max_value=2**63 - 1)
    uploader = django_filters.CharFilter(
        field_name="uploaded_by__name", lookup_expr="icontains", label="上传人"
    )
    uploaded_after = _date_filter("uploaded_at", "date__gte", "上传日期不早于")
    uploaded_before = _date_filter("uploaded_at", "date__lte", "上传日期不晚于")
    issued_after = _date_filter("issued_on", "gte", "成文日期不早于")
    issued_before = _date_filter("issued_on", "lte", "成文日期不晚于")
    search_fields = ("title__icontains", "original_name__icontains", "source__icontains")

    class Meta:
        model = Document
        fields = ["is_current"]


class DocumentCategoryFilterSet(BaseFilterSet):
    search_fields = ("name__icontains", "code__icontains")

    class Meta:
        model = DocumentCategory
        fields = ["active"]
