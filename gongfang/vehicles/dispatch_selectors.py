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
    active = Q(state__in=(DispatchState.REQUESTED, DispatchState.APPROVED, *DISPATCH_HOLDS)) | Q(
        start_at__gte=week_start, start_at__lt=week_end
    )
    per_org = (
        scoped.filter(active)
        .values("organization_id", "organization__name")
        .annotate(
            waiting=Count(
                "pk", filter=Q(state__in=(DispatchState.REQUESTED, DispatchState.APPROVED))
            ),
            assigned=Count("pk", filter=Q(state=DispatchState.ASSIGNED)),
            out=Count("pk", filter=Q(state=DispatchState.DEPARTED)),
            week=Count(
                "pk",
                filter=Q(start_at__gte=week_start, start_at__lt=week_end)
                & ~Q(state__in=(DispatchState.REJECTED, DispatchState.CANCELLED)),
            ),
        )
        .order_by("-out", "-waiting", "-week", "organization__name")
    )
    shown = list(per_org[:limit])
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
    totals = scoped.filter(active).aggregate(
        organizations=Count("organization", distinct=True),
        waiting=Count("pk", filter=Q(state__in=(DispatchState.REQUESTED, DispatchState.APPROVED))),
        out=Count("pk", filter=Q(state=DispatchState.DEPARTED)),
        week=Count(
            "pk",
            filter=Q(start_at__gte=week_start, start_at__lt=week_end)
            & ~Q(state__in=(DispatchState.REJECTED, DispatchState.CANCELLED)),
        ),
    )
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
