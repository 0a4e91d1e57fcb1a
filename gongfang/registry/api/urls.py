"""API routes of the registry: ``/api/registry/<plural>/`` named ``api:registry:<model>-list``
and ``/api/registry/<plural>/<id>/`` named ``api:registry:<model>-detail``."""

from ...framework.api.routers import Router
from . import views as v

app_name = "registry"

router = Router()
router.register("regions", v.RegionViewSet)
router.register("organizations", v.OrganizationViewSet)
router.register("leadership-quotas", v.LeadershipQuotaViewSet)
router.register("compounds", v.CompoundViewSet)
router.register("buildings", v.BuildingViewSet)
router.register("floors", v.FloorViewSet)
router.register("rooms", v.RoomViewSet)
router.register("persons", v.PersonViewSet)
router.register("posts", v.PostViewSet)
router.register("occupancies", v.OccupancyViewSet)
router.register("parking-lots", v.ParkingLotViewSet)
router.register("canteens", v.CanteenViewSet)

urlpatterns = router.urls
