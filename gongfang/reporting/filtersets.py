"""Filter sets of reporting (one per model; pages, API and exports share them)."""

from __future__ import annotations

from ..framework.filtersets import BaseFilterSet
from .models import (
    EvaluationIndicator,
    EvaluationScore,
    ReportField,
    ReportForm,
    ReportPeriod,
    ReportTable,
    Submission,
    ValidationRule,
)


class ReportFormFilterSet(BaseFilterSet):
    search_fields = ("name__icontains", "source__icontains")

    class Meta:
        model = ReportForm
        fields = ["year"]


class ReportPeriodFilterSet(BaseFilterSet):
    search_fields = ("region__name__icontains", "form__name__icontains")

    class Meta:
        model = ReportPeriod
        fields = ["year", "state"]


class SubmissionFilterSet(BaseFilterSet):
    search_fields = ("organization__name__icontains", "region__name__icontains")

    class Meta:
        model = Submission
        fields = ["period", "state"]


class EvaluationIndicatorFilterSet(BaseFilterSet):
    search_fields = ("name__icontains",)

    class Meta:
        model = EvaluationIndicator
        fields = ["kind", "active"]


class ReportTableFilterSet(BaseFilterSet):
    search_fields = ("code__icontains", "name__icontains")

    class Meta:
        model = ReportTable
        fields = ["form", "filled_by"]


class ReportFieldFilterSet(BaseFilterSet):
    search_fields = ("code__icontains", "label__icontains")

    class Meta:
        model = ReportField
        fields = ["table", "kind"]


class ValidationRuleFilterSet(BaseFilterSet):
    search_fields = ("code__icontains", "message__icontains")

    class Meta:
        model = ValidationRule
        fields = ["form", "kind", "importance"]


class EvaluationScoreFilterSet(BaseFilterSet):
    search_fields = ("indicator__name__icontains",)

    class Meta:
        model = EvaluationScore
        fields = ["period", "submission", "indicator"]
