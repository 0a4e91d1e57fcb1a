"""Routes of dispatch and of registering a purchased car, added to ``vehicles.urls``."""

from __future__ import annotations

from django.urls import path

from . import dispatch_views as views

urlpatterns = [
    path("dispatches/", views.DispatchListView.as_view(), name="dispatch_list"),
    path("dispatches/request/", views.DispatchRequestView.as_view(), name="dispatch_add"),
    path("dispatches/board/", views.DispatchBoardView.as_view(), name="dispatch_board"),
    path(
        "dispatches/region/",
        views.DispatchRegionBoardView.as_view(),
        name="dispatch_region_board",
    ),
    path("dispatches/<int:pk>/", views.DispatchView.as_view(), name="dispatch"),
    path(
        "dispatches/<int:pk>/<str:verb>/",
        views.DispatchActionView.as_view(),
        name="dispatch_action",
    ),
    path(
        "cases/<int:pk>/register-vehicle/",
        views.RegisterVehicleView.as_view(),
        name="case_register_vehicle",
    ),
]
