"""Reads of dispatch (派车): the list's filters, the unit's board and the bureau's board.

Every read starts from ``restrict(user, "view")``. The boards are built from a fixed number of
queries, whatever the fleet's size: counts per organization are one grouped query, the lists
are cut to a page (the bureau's board at the province profile's scale — 25,000 vehicles — must
answer within the page-speed rule).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import django_filters
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..framework import clock
from ..framework.filtersets import BaseFilterSet
from ..registry.filtersets import OrganizationSubtreeFilter, RegionSubtreeFilter, scoped_fk_filter
from ..registry.models import Organization
from .choices import DISPATCH_HOLDS, DispatchState, VehicleStatus
from .models import Dispatch, Driver, Vehicle

# The states whose trips count in a week's figures (not refused, not called off).
COUNTED_STATES = tuple(
    s for s in DispatchState.values if s not in (DispatchState.REJECTED, DispatchState.CANCELLED)
)

# Rows shown per list on a board (the rest through the list page's filters).
BOARD_ROWS = 20


class DispatchFilterSet(BaseFilterSet):
    region = RegionSubtreeFilter(lookup="region", field_name="region")
    unit = OrganizationSubtreeFilter(lookup="organization", field_name="organization")
    vehicle = scoped_fk_filter(Vehicle, "vehicle", "车辆")
    driver = scoped_fk_filter(Driver, "driver", "驾驶员")
    start_after = django_filters.DateFilter(
        field_name="start_at", lookup_expr="date__gte", label="用车开始不早于"
    )
    start_before = django_filters.DateFilter(
        field_name="start_at", lookup_expr="date__lte", label="用车开始不晚于"
    )
    search_fields = (
        "purpose__icontains",
        "origin__icontains",
        "destination__icontains",
        "vehicle__plate__icontains",
        "driver__name__icontains",
        "organization__name__icontains",
    )

    class Meta:
        model = Dispatch
        fields = ["state", "organization"]


def dispatches(user) -> QuerySet[Dispatch]:
    return Dispatch.objects.restrict(user, "view").select_related(
        "organization", "vehicle", "driver", "requested_by", "approved_by"
    )


def week_of(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday 00:00 to the next Monday 00:00 (local time) of ``day``'s week."""
    monday = day - datetime.timedelta(days=day.weekday())
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))
    return start, start + datetime.timedelta(days=7)


def day_span(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return start, start + datetime.timedelta(days=1)


def holding_now(now: datetime.datetime) -> Q:
    """Dispatches that keep a car busy now: out on the road, or assigned over this moment."""
    return Q(state=DispatchState.DEPARTED) | Q(
        state=DispatchState.ASSIGNED, start_at__lte=now, end_at__gt=now
    )


@dataclass
class UnitBoard:
    organization: Organization
    waiting: list[Dispatch]  # requested: to approve
    to_assign: list[Dispatch]  # approved: to give a car and driver
    out: list[Dispatch]  # departed: on the road
    scheduled: list[Dispatch]  # assigned, starting today or this week
    free: list[Vehicle]  # in use and not held now
    counts: dict[str, int]


def unit_board(user, organization: Organization) -> UnitBoard:
    """The unit's dispatch board (its sub-units included): what waits, what is out, what is
    free, this week."""
    now = clock.now()
    week_start, week_end = week_of(timezone.localtime(now).date())
    mine = dispatches(user).filter(organization__path__startswith=organization.path)
    open_states = (DispatchState.REQUESTED, DispatchState.APPROVED)
    waiting = list(mine.filter(state=DispatchState.REQUESTED).order_by("start_at")[:BOARD_ROWS])
    to_assign = list(mine.filter(state=DispatchState.APPROVED).order_by("start_at")[:BOARD_ROWS])
    out = list(mine.filter(state=DispatchState.DEPARTED).order_by("end_at")[:BOARD_ROWS])
    scheduled = list(
        mine.filter(state=DispatchState.ASSIGNED, start_at__lt=week_end, end_at__gt=now).order_by(
            "start_at"
        )[:BOARD_ROWS]
    )
    fleet = Vehicle.objects.restrict(user, "view").filter(
        organization__path__startswith=organization.path
    )
    busy = Dispatch.objects.filter(holding_now(now), vehicle=OuterRef("pk"))
    free_q = fleet.filter(status=VehicleStatus.IN_USE).exclude(Exists(busy))
    free = list(free_q.select_related("organization").order_by("plate")[:BOARD_ROWS])
    counts = mine.aggregate(
        waiting=Count("pk", filter=Q(state__in=open_states)),
        out=Count("pk", filter=Q(state=DispatchState.DEPARTED)),
        week=Count(
            "pk",
            filter=Q(start_at__gte=week_start, start_at__lt=week_end)
            & ~Q(state__in=(DispatchState.REJECTED, DispatchState.CANCELLED)),
        ),
        returned_week=Count(
            "pk",
            filter=Q(state=DispatchState.RETURNED, returned_at__gte=week_start),
        ),
    )
    counts["free"] = free_q.count()
    counts["fleet"] = fleet.filter(status=VehicleStatus.IN_USE).count()
    return UnitBoard(organization, waiting, to_assign, out, scheduled, free, counts)


@dataclass
class OrganizationRow:
    organization_id: int
    name: str
    waiting: int
    assigned: int
    out: int
    week: int
    fleet: int


@dataclass
class RegionBoard:
    rows: list[OrganizationRow]
    totals: dict[str, int]
    out: list[Dispatch]
    more: int  # organizations with activity beyond the rows shown


def region_board(user, *, limit: int = 50) -> RegionBoard:
    """The bureau's board over its region: per organization what waits, what is out now and
    this week's trips (one grouped query), and the cars out now (a page of them)."""
    now = clock.now()
    week_start, week_end = week_of(timezone.localtime(now).date())
    scoped = Dispatch.objects.restrict(user, "view")
    # Two grouped queries that each follow the (region, state, start_at) index — the open
    # dispatches, and this week's trips — merged here (one query with an OR of the two walked
    # every dispatch of the region).
    merged: dict[int, dict[str, int]] = {}
    open_counts = (
        scoped.filter(state__in=(DispatchState.REQUESTED, DispatchState.APPROVED, *DISPATCH_HOLDS))
        .values("organization_id")
        .annotate(
            waiting=Count(
                "pk", filter=Q(state__in=(DispatchState.REQUESTED, DispatchState.APPROVED))
            ),
            assigned=Count("pk", filter=Q(state=DispatchState.ASSIGNED)),
            out=Count("pk", filter=Q(state=DispatchState.DEPARTED)),
        )
        .order_by()
    )
    week_counts = (
        scoped.filter(state__in=COUNTED_STATES, start_at__gte=week_start, start_at__lt=week_end)
        .values("organization_id")
        .annotate(week=Count("pk"))
        .order_by()
    )
    for row in [*open_counts, *week_counts]:
        counts = merged.setdefault(
            row.pop("organization_id"), {"waiting": 0, "assigned": 0, "out": 0, "week": 0}
        )
        counts.update(row)
    names = dict(Organization.objects.filter(pk__in=merged).values_list("pk", "name"))
    ranked = sorted(
        merged.items(),
        key=lambda item: (-item[1]["out"], -item[1]["waiting"], -item[1]["week"], names[item[0]]),
    )
    shown = [
        {"organization_id": pk, "organization__name": names[pk], **counts}
        for pk, counts in ranked[:limit]
    ]
    fleet = dict(
        Vehicle.objects.restrict(user, "view")
        .filter(
            status=VehicleStatus.IN_USE,
            organization_id__in=[r["organization_id"] for r in shown],
        )
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    )
    rows = [
        OrganizationRow(
            organization_id=r["organization_id"],
            name=r["organization__name"],
            waiting=r["waiting"],
            assigned=r["assigned"],
            out=r["out"],
            week=r["week"],
            fleet=fleet.get(r["organization_id"], 0),
        )
        for r in shown
    ]
    totals = {
        "organizations": len(merged),
        **{key: sum(c[key] for c in merged.values()) for key in ("waiting", "out", "week")},
    }
    totals["fleet"] = (
        Vehicle.objects.restrict(user, "view").filter(status=VehicleStatus.IN_USE).count()
    )
    out = list(
        dispatches(user).filter(state=DispatchState.DEPARTED).order_by("end_at")[:BOARD_ROWS]
    )
    return RegionBoard(rows, totals, out, max(totals["organizations"] - len(rows), 0))


def assignable(user, dispatch: Dispatch) -> tuple[QuerySet[Vehicle], QuerySet[Driver]]:
    """The cars and drivers of the dispatch's unit that are free over its time (the choices of
    the assignment form; the service checks again under lock)."""
    holds = Dispatch.objects.filter(
        state__in=DISPATCH_HOLDS, start_at__lt=dispatch.end_at, end_at__gt=dispatch.start_at
    ).exclude(pk=dispatch.pk)
    path = dispatch.organization.path
    vehicles = (
        Vehicle.objects.restrict(user, "view")
        .filter(organization__path__startswith=path, status=VehicleStatus.IN_USE)
        .exclude(Exists(holds.filter(vehicle=OuterRef("pk"))))
        .order_by("plate")
    )
    drivers = (
        Driver.objects.restrict(user, "view")
        .filter(organization__path__startswith=path, active=True)
        .exclude(Exists(holds.filter(driver=OuterRef("pk"))))
        .order_by("name")
    )
    return vehicles, drivers
