"""API routes of exchange (``/api/exchange/…``)."""

from django.urls import path

from ...framework.api.routers import Router
from .views import PackageViewSet, PeerViewSet, ReceivePackageView

app_name = "exchange"

router = Router()
router.register("peers", PeerViewSet)
router.register("packages", PackageViewSet)

urlpatterns = [
    *router.urls,
    path("receive/", ReceivePackageView.as_view(), name="receive"),
]
