"""API routes of supervision (``/api/supervision/…``)."""

from ...framework.api.routers import Router
from .views import AnomalyViewSet, RuleVersionViewSet

app_name = "supervision"

router = Router()
router.register("anomalies", AnomalyViewSet)
router.register("rules", RuleVersionViewSet)

urlpatterns = router.urls
