"""API routes of reporting (``/api/reporting/…``)."""

from ...framework.api.routers import Router
from .views import ROUTES

app_name = "reporting"

router = Router()
for prefix, viewset in ROUTES:
    router.register(prefix, viewset)

urlpatterns = router.urls
