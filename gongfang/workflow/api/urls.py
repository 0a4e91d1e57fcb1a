"""API routes of the approval engine: ``/api/workflow/cases/`` (``-list``, ``-detail``, the
actions ``-submit``, ``-decide``, ``-withdraw``, ``-attachments``, ``-attachment-download``,
``-preview``, ``-history`` and ``-sign`` for batch signing), ``/api/workflow/tasks/`` (the
account's to-do), ``/api/workflow/notifications/`` (``-read``) and
``/api/workflow/definitions/``."""

from ...framework.api.routers import Router
from . import views as v

app_name = "workflow"

router = Router()
router.register("cases", v.CaseViewSet)
router.register("tasks", v.TaskViewSet, basename="task")
router.register("notifications", v.NotificationViewSet, basename="notification")
router.register("definitions", v.ProcessDefinitionViewSet)

urlpatterns = router.urls
