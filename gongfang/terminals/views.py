"""Pages of terminals: terminals and their binding (the bureau), the unknown terminals waiting
to be bound, trips, and a vehicle's positions. All scoped by ``restrict`` like vehicles."""

from __future__ import annotations

from typing import Any

from ..framework.views import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView
from . import filtersets, forms, tables
from .models import Position, Terminal, TerminalState, Trip


class TerminalListView(ObjectListView):
    queryset = Terminal.objects.select_related("vehicle", "region")
    filterset = filtersets.TerminalFilterSet
    table = tables.TerminalTable
    filter_order = ("state", "region", "unit", "protocol")


class UnknownTerminalListView(TerminalListView):
    """Terminals that registered but are bound to no vehicle: bind or leave them refused."""

    queryset = Terminal.objects.select_related("region").filter(state=TerminalState.UNBOUND)

    def get_extra_context(self) -> dict[str, Any]:
        # The page's heading: the list template names it after ``verbose_name``.
        return {"verbose_name": "待绑定终端", "add_url": "", "can_add": False}


class TerminalView(ObjectView):
    queryset = Terminal.objects.select_related("vehicle", "region")
    attributes = (
        "phone",
        "vehicle",
        "state",
        "protocol",
        "region",
        "manufacturer",
        "terminal_model",
        "device_id",
        "reported_plate",
        "registered_at",
        "authenticated_at",
        "last_seen_at",
        "last_address",
        "refused_count",
        "note",
    )


class TerminalEditView(ObjectEditView):
    queryset = Terminal.objects.all()
    form = forms.TerminalForm


class TerminalDeleteView(ObjectDeleteView):
    queryset = Terminal.objects.all()


class TripListView(ObjectListView):
    queryset = Trip.objects.select_related("vehicle").defer("route")
    filterset = filtersets.TripFilterSet
    table = tables.TripTable
    filter_order = ("region", "unit", "vehicle", "start_from", "start_to", "closed")


class TripView(ObjectView):
    queryset = Trip.objects.select_related("vehicle", "terminal")
    attributes = (
        "vehicle",
        "terminal",
        "start_at",
        "end_at",
        "start_lat",
        "start_lng",
        "end_lat",
        "end_lng",
        "distance_km",
        "duration_s",
        "max_speed",
        "points",
        "closed",
    )


class PositionListView(ObjectListView):
    """A vehicle's reports (filter by vehicle and day): the table behind the playback."""

    queryset = Position.objects.select_related("vehicle")
    filterset = filtersets.PositionFilterSet
    table = tables.PositionTable
    filter_order = ("vehicle", "day", "recorded_from", "recorded_to", "acc")
