"""Registry pages. ``home`` (the dashboard) and ``search`` are global names; every model's pages
are ``registry:<model>_list``, ``registry:<model>``, ``_add``, ``_edit`` and ``_delete``."""

from __future__ import annotations

from django.urls import include, path

from . import asof_views, picture_views, views


def model_urls(prefix: str, name: str) -> list:
    """The five pages of one model, from the views named after it (``RoomListView`` …)."""
    base = "".join(part.capitalize() for part in name.split("_"))
    base = MODEL_CLASS_NAMES.get(name, base)
    listing = getattr(views, f"{base}ListView")
    detail = getattr(views, f"{base}View")
    edit = getattr(views, f"{base}EditView")
    delete = getattr(views, f"{base}DeleteView")
    return [
        path(f"{prefix}/", listing.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", detail.as_view(), name=name),
        path(f"{prefix}/<int:pk>/edit/", edit.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete.as_view(), name=f"{name}_delete"),
    ]


MODEL_CLASS_NAMES = {
    "leadershipquota": "LeadershipQuota",
    "parkinglot": "ParkingLot",
}

registry_patterns = [
    path("rooms/as-of/", asof_views.RoomAsOfView.as_view(), name="room_list_asof"),
    *model_urls("regions", "region"),
    *model_urls("organizations", "organization"),
    *model_urls("leadership-quotas", "leadershipquota"),
    *model_urls("compounds", "compound"),
    *model_urls("buildings", "building"),
    *model_urls("floors", "floor"),
    *model_urls("rooms", "room"),
    *model_urls("persons", "person"),
    *model_urls("posts", "post"),
    *model_urls("occupancies", "occupancy"),
    *model_urls("parking-lots", "parkinglot"),
    *model_urls("canteens", "canteen"),
    path("map/", picture_views.CompoundMapView.as_view(), name="map"),
    path(
        "compounds/<int:pk>/card/", picture_views.CompoundCardView.as_view(), name="compound_card"
    ),
    path(
        "floors/<int:pk>/plan/print/",
        picture_views.FloorPlanPrintView.as_view(),
        name="floor_plan_print",
    ),
    path(
        "floors/<int:pk>/plan.pdf", picture_views.FloorPlanPdfView.as_view(), name="floor_plan_pdf"
    ),
]

urlpatterns = [
    path("", views.DashboardView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("", include((registry_patterns, "registry"))),
]
