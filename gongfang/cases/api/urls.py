"""API routes of the cases' records: ``/api/cases/approved-uses/`` and
``/api/cases/construction-projects/`` (read only)."""

from ...framework.api.routers import Router
from . import views as v

app_name = "cases"

router = Router()
router.register("approved-uses", v.ApprovedUseViewSet)
router.register("construction-projects", v.ConstructionProjectViewSet)

urlpatterns = router.urls
