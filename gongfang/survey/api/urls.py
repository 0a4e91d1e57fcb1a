"""API routes of survey (``/api/survey/…``)."""

from ...framework.api.routers import Router
from .views import ROUTES

app_name = "survey"

router = Router()
for prefix, viewset in ROUTES:
    router.register(prefix, viewset)

urlpatterns = router.urls
