"""API routes of inspections (``/api/inspections/…``); H7's findings routes are added by
``findings.register`` once that module is in."""

import importlib.util

from ...framework.api.routers import Router
from . import views as v

app_name = "inspections"

router = Router()
router.register("checklists", v.ChecklistViewSet)
router.register("checklist-items", v.ChecklistItemViewSet)
router.register("assessment-dates", v.AssessmentDateViewSet)
router.register("plans", v.InspectionPlanViewSet)
router.register("inspections", v.InspectionViewSet)
router.register("item-checks", v.ItemCheckViewSet)
router.register("measurements", v.MeasurementViewSet)
router.register("tips", v.TipViewSet)

if importlib.util.find_spec(f"{__package__}.findings") is not None:
    from .findings import register as register_findings

    register_findings(router)

urlpatterns = router.urls
