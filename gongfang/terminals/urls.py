"""Pages of terminals (``/terminals/…``): ``terminals:terminal_list``, ``terminal_unknown``,
``trip_list``, ``position_list`` and the generic pages of terminals and trips."""

from __future__ import annotations

from django.urls import path

from ..framework.routes import object_urls
from . import views as v

app_name = "terminals"

urlpatterns = [
    path("unknown/", v.UnknownTerminalListView.as_view(), name="terminal_unknown"),
    *object_urls(
        "devices",
        "terminal",
        v.TerminalListView,
        v.TerminalView,
        v.TerminalEditView,
        v.TerminalDeleteView,
    ),
    path("trips/", v.TripListView.as_view(), name="trip_list"),
    path("trips/<int:pk>/", v.TripView.as_view(), name="trip"),
    path("positions/", v.PositionListView.as_view(), name="position_list"),
]
