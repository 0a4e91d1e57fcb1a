"""API routes of review (``/api/review/…``)."""

from ...framework.api.routers import Router
from . import views as v

app_name = "review"

router = Router()
router.register("required-fields", v.RequiredFieldViewSet)
router.register("reviews", v.ReviewViewSet)
router.register("assignments", v.AssignmentViewSet)
router.register("findings", v.FindingViewSet)

urlpatterns = router.urls
