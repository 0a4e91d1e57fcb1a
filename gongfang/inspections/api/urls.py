"""API routes of inspections (``/api/inspections/…``)."""

from ...framework.api.routers import Router

app_name = "inspections"

router = Router()

urlpatterns = router.urls
