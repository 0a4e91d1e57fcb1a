"""API routes of reporting (``/api/reporting/…``)."""

from ...framework.api.routers import Router

app_name = "reporting"

router = Router()

urlpatterns = router.urls
