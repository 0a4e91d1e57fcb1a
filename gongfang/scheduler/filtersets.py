"""The one filterset of scheduled jobs (page and API)."""

from __future__ import annotations

from ..framework.filtersets import BaseFilterSet
from .models import ScheduledJob


class ScheduledJobFilterSet(BaseFilterSet):
    search_fields = ("key", "name", "description", "last_message")

    class Meta:
        model = ScheduledJob
        fields = ["enabled", "kind", "last_result"]
