"""API routes of review (``/api/review/…``)."""

from ...framework.api.routers import Router

app_name = "review"

router = Router()

urlpatterns = router.urls
