"""API routes of exchange (``/api/exchange/…``)."""

from django.urls import path

from ...framework.api.routers import Router
from .views import ReceivePackageView

app_name = "exchange"

router = Router()

urlpatterns = [
    *router.urls,
    path("receive/", ReceivePackageView.as_view(), name="receive"),
]
