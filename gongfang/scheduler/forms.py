"""The schedule's edit form: whether the job runs, and when."""

from __future__ import annotations

from django import forms

from ..framework.forms import ScopedModelForm
from .models import ScheduledJob


class ScheduledJobForm(ScopedModelForm):
    class Meta:
        model = ScheduledJob
        fields = ["enabled", "kind", "time_of_day", "interval_minutes"]
        widgets = {"time_of_day": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
