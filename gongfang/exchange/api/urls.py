"""API routes of exchange (``/api/exchange/…``)."""

from ...framework.api.routers import Router

app_name = "exchange"

router = Router()

urlpatterns = router.urls
