"""API routes of maintenance (``/api/maintenance/…``)."""

from ...framework.api.routers import Router

app_name = "maintenance"

router = Router()

urlpatterns = router.urls
