"""API routes of archives (``/api/archives/…``)."""

from ...framework.api.routers import Router

app_name = "archives"

router = Router()

urlpatterns = router.urls
