"""API routes of vehicles (``/api/vehicles/…``)."""

from ...framework.api.routers import Router

app_name = "vehicles"

router = Router()

urlpatterns = router.urls
