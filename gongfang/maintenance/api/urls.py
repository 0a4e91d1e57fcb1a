"""API routes of maintenance (``/api/maintenance/…``)."""

from ...framework.api.routers import Router
from . import views as v

app_name = "maintenance"

router = Router()
router.register("projects", v.MaintenanceProjectViewSet)
router.register("progress-reports", v.ProgressReportViewSet)
router.register("payments", v.MaintenancePaymentViewSet)
router.register("plans", v.ThreeYearPlanViewSet)
router.register("proposals", v.PlanProposalViewSet)
router.register("service-contracts", v.ServiceContractViewSet)
router.register("budgets", v.BudgetViewSet)
router.register("expenses", v.ExpenseViewSet)
router.register("stage-requirements", v.StageRequirementViewSet)

urlpatterns = router.urls
