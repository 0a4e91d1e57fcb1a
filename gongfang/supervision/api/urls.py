"""API routes of supervision (``/api/supervision/…``)."""

from ...framework.api.routers import Router

app_name = "supervision"

router = Router()

urlpatterns = router.urls
