"""The schedule pages (系统管理员): the list of periodic jobs, one job, and its edit form.
Jobs are registered by the apps, so there is neither an add nor a delete page."""

from __future__ import annotations

from ..framework.views import ObjectEditView, ObjectListView, ObjectView
from .filtersets import ScheduledJobFilterSet
from .forms import ScheduledJobForm
from .models import ScheduledJob
from .tables import ScheduledJobTable, result_badge


class ScheduledJobListView(ObjectListView):
    queryset = ScheduledJob.objects.all()
    filterset = ScheduledJobFilterSet
    table = ScheduledJobTable


class ScheduledJobView(ObjectView):
    queryset = ScheduledJob.objects.all()
    template_name = "scheduler/scheduledjob.html"
    # The schedule itself ("每天 03:00") is the page's subtitle.
    attributes = ("key", "description", "kind", "enabled", "next_run_at")

    def get_extra_context(self, obj):
        return {"result_badge": result_badge(obj)}


class ScheduledJobEditView(ObjectEditView):
    queryset = ScheduledJob.objects.all()
    form = ScheduledJobForm
