"""API routes of the compliance engine: ``/api/compliance/warnings/`` (``-list``, ``-detail``,
``-counts``, ``-transition``) and the explanations ``/api/compliance/entitlements/persons/<id>/``
(``api:compliance:person-entitlement-detail``), ``…/rooms/<id>/`` and ``…/organizations/<id>/``."""

from ...framework.api.routers import Router
from . import views as v

app_name = "compliance"

router = Router()
router.register("warnings", v.WarningViewSet)
router.register("entitlements/persons", v.PersonEntitlementViewSet, basename="person-entitlement")
router.register("entitlements/rooms", v.RoomEntitlementViewSet, basename="room-entitlement")
router.register(
    "entitlements/organizations",
    v.OrganizationEntitlementViewSet,
    basename="organization-entitlement",
)

urlpatterns = router.urls
