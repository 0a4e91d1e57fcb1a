"""Reads of terminals, positions and trips (higher apps start here)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from .models import LastPosition, Position, Terminal, TerminalState, Trip


def last_positions(vehicles_qs: QuerySet) -> QuerySet[LastPosition]:
    """The latest report of each vehicle of ``vehicles_qs`` that has one."""
    return LastPosition.objects.filter(vehicle__in=vehicles_qs.values("pk")).select_related(
        "vehicle", "terminal"
    )


def positions(vehicle, start: datetime.datetime, end: datetime.datetime) -> QuerySet[Position]:
    """A vehicle's reports in [start, end), in time order (one partition range on PostgreSQL)."""
    return Position.objects.filter(
        vehicle_id=getattr(vehicle, "pk", vehicle), recorded_at__gte=start, recorded_at__lt=end
    ).order_by("recorded_at", "id")


def trips(
    *,
    vehicle=None,
    vehicles: QuerySet | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    closed: bool | None = None,
) -> QuerySet[Trip]:
    """Trips overlapping [start, end), optionally of one vehicle or a queryset of vehicles."""
    qs = Trip.objects.select_related("vehicle", "terminal")
    if vehicle is not None:
        qs = qs.filter(vehicle_id=getattr(vehicle, "pk", vehicle))
    if vehicles is not None:
        qs = qs.filter(vehicle__in=vehicles.values("pk"))
    if start is not None:
        qs = qs.filter(end_at__gte=start)
    if end is not None:
        qs = qs.filter(start_at__lt=end)
    if closed is not None:
        qs = qs.filter(closed=closed)
    return qs.order_by("start_at", "pk")


def unknown_terminals(user) -> QuerySet[Terminal]:
    """Terminals that tried to register but are bound to no vehicle: the bureau binds them."""
    return Terminal.objects.restrict(user, "view").filter(state=TerminalState.UNBOUND)
