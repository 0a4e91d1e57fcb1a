"""API of the schedule: ``/api/scheduler/jobs/`` (``api:scheduler:scheduledjob-list`` and
``-detail``): read every job with its last and next run; PATCH ``enabled``, ``kind``,
``time_of_day``, ``interval_minutes``. Jobs are registered by the apps: no POST, no DELETE."""

from __future__ import annotations

from ..framework.api.routers import Router
from ..framework.api.serializers import ObjectSerializer
from ..framework.api.viewsets import ObjectViewSet
from .filtersets import ScheduledJobFilterSet
from .models import ScheduledJob


class ScheduledJobSerializer(ObjectSerializer):
    """定时任务：运行方式（每天定时或按间隔）、是否启用、上次与下次运行。"""

    class Meta(ObjectSerializer.Meta):
        model = ScheduledJob


class ScheduledJobViewSet(ObjectViewSet):
    """定时任务（系统管理员）：查看各模块登记的定时任务，修改启用状态与运行时间。"""

    queryset = ScheduledJob.objects.all()
    serializer_class = ScheduledJobSerializer
    filterset_class = ScheduledJobFilterSet
    http_method_names = ["get", "put", "patch", "head", "options"]


app_name = "scheduler"

router = Router()
router.register("jobs", ScheduledJobViewSet)

urlpatterns = router.urls
