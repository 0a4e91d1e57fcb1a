"""API routes of vehicles (``/api/vehicles/…``)."""

from ...framework.api.routers import Router
from .dispatch import register as register_dispatch_api
from .views import ROUTES

app_name = "vehicles"

router = Router()
for prefix, viewset in ROUTES:
    router.register(prefix, viewset)
register_dispatch_api(router)

urlpatterns = router.urls
