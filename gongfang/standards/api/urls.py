"""API routes of the standards: ``/api/standards/<plural>/`` named ``api:standards:<model>-list``
(and ``-detail``), plus ``/api/standards/effective/?region=<code>&on=<date>``
(``api:standards:effective``), the combined standard of a place with the source of each figure."""

from django.urls import path

from ...framework.api.routers import Router
from . import views as v

app_name = "standards"

router = Router()
router.register("versions", v.StandardVersionViewSet)
router.register("office-limits", v.OfficeLimitViewSet)
router.register("grade-equivalences", v.GradeEquivalenceViewSet)
router.register("service-allowances", v.ServiceAllowanceViewSet)
router.register("parameters", v.RuleParameterViewSet)
router.register("clauses", v.ClauseViewSet)

urlpatterns = [
    path("effective/", v.EffectiveView.as_view(), name="effective"),
    *router.urls,
]
