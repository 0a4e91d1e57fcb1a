"""API routes of terminals (``/api/terminals/…``)."""

from ...framework.api.routers import Router
from . import views as v

app_name = "terminals"

router = Router()
router.register("terminals", v.TerminalViewSet)
router.register("trips", v.TripViewSet)
router.register("positions", v.PositionViewSet)
router.register("last-positions", v.LastPositionViewSet)

urlpatterns = router.urls
