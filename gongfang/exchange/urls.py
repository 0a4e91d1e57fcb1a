"""Pages of exchange (``/exchange/…``)."""

from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("packages/<int:pk>/", views.PackageView.as_view(), name="package"),
    path("packages/<int:pk>/download/", views.DownloadView.as_view(), name="download"),
    path("submissions/<int:pk>/received/", views.ReceivedView.as_view(), name="received"),
]
