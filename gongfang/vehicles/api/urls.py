"""API routes of vehicles (``/api/vehicles/…``)."""

from ...framework.api.routers import Router
from .views import ROUTES

app_name = "vehicles"

router = Router()
for prefix, viewset in ROUTES:
    router.register(prefix, viewset)

urlpatterns = router.urls
