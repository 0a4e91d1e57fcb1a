"""API routes of terminals (``/api/terminals/…``)."""

from ...framework.api.routers import Router

app_name = "terminals"

router = Router()

urlpatterns = router.urls
