"""Filter sets of reporting (one per model; pages, API and exports share them)."""

from __future__ import annotations

from ..framework.filtersets import BaseFilterSet
from .models import EvaluationIndicator, ReportForm, ReportPeriod, Submission


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
