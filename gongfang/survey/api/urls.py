"""API routes of survey (``/api/survey/…``)."""

from ...framework.api.routers import Router

app_name = "survey"

router = Router()

urlpatterns = router.urls
