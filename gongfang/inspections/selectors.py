"""Reads of inspections: what the system already knows about the inspected unit, item by item.

An inspection opens with, beside each checklist item, the unit's open warnings of the rules
linked to the item (compliance), its cases in progress (workflow) and its idle rooms (registry) —
each read through the account's scope.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from ..compliance.models import ACTIVE_STATES, Warning
from ..registry.choices import RoomStatus
from ..registry.models import Person, Room
from ..workflow.choices import PENDING_STATES
from ..workflow.models import Case
from . import services
from .choices import InspectionState, ItemTarget, MeasurementState
from .models import ChecklistItem, Inspection, InspectionPlan, ItemCheck, Tip

# Rules whose findings are about rooms left idle: the item linked to them shows the idle rooms.
IDLE_RULES = frozenset({"R5"})
# How many objects an item lists before "and N more".
SHOWN = 5


def item_order(item: ChecklistItem) -> tuple[int, int]:
    """Organizations' aspects first (as seed 001 lists them), then leaders'."""
    return (0 if item.target == ItemTarget.ORGANIZATION else 1, item.aspect)


@dataclass
class ItemRow:
    """One checklist item of an inspection with what the system knows and its result."""

    item: ChecklistItem
    check: ItemCheck | None
    warnings: list[Warning] = field(default_factory=list)
    warning_count: int = 0
    idle_rooms: list[Room] = field(default_factory=list)
    idle_count: int = 0

    @property
    def known(self) -> bool:
        return bool(self.warning_count or self.idle_count)


def unit_warnings(user, inspection: Inspection) -> QuerySet[Warning]:
    """The inspected unit's (and its sub-units') open warnings the account may see."""
    return (
        Warning.objects.restrict(user, "view")
        .filter(
            organization__path__startswith=inspection.organization.path,
            state__in=ACTIVE_STATES,
        )
        .order_by("rule", "-excess_area", "pk")
    )


def unit_cases(user, inspection: Inspection) -> QuerySet[Case]:
    """The unit's cases still being decided."""
    return (
        Case.objects.restrict(user, "view")
        .filter(
            Q(applicant__path__startswith=inspection.organization.path)
            | Q(counterparty__path__startswith=inspection.organization.path),
            state__in=PENDING_STATES,
        )
        .order_by("-submitted_at", "-pk")
    )


def unit_idle_rooms(user, inspection: Inspection) -> QuerySet[Room]:
    return (
        Room.objects.restrict(user, "view")
        .filter(organization__path__startswith=inspection.organization.path, status=RoomStatus.IDLE)
        .select_related("floor__building")
        .order_by("status_since", "pk")
    )


def item_rows(user, inspection: Inspection, *, with_known: bool = True) -> list[ItemRow]:
    """Every item of the inspection's checklist, organizations first, with its result and —
    when ``with_known`` — the unit's open warnings of the item's rules and, for the idle-space
    item, the idle rooms."""
    items = sorted(inspection.checklist.items.all(), key=item_order)
    checks = {c.item_id: c for c in inspection.item_checks.select_related("checked_by")}
    rows = [ItemRow(item=item, check=checks.get(item.pk)) for item in items]
    if not with_known:
        return rows
    by_rule: dict[str, list[Warning]] = defaultdict(list)
    counts = dict(
        unit_warnings(user, inspection)
        .order_by()
        .values("rule")
        .annotate(n=Count("pk"))
        .values_list("rule", "n")
    )
    wanted = {code for item in items for code in item.rules}
    for warning in unit_warnings(user, inspection).filter(rule__in=wanted):
        if len(by_rule[warning.rule]) < SHOWN:
            by_rule[warning.rule].append(warning)
    idle = unit_idle_rooms(user, inspection)
    idle_count = idle.count() if any(set(i.rules) & IDLE_RULES for i in items) else 0
    idle_shown = list(idle[:SHOWN]) if idle_count else []
    for row in rows:
        for code in row.item.rules:
            row.warnings.extend(by_rule.get(code, []))
            row.warning_count += counts.get(code, 0)
        row.warnings = row.warnings[:SHOWN]
        if set(row.item.rules) & IDLE_RULES:
            row.idle_rooms, row.idle_count = idle_shown, idle_count
    return rows


def inspection_page(user, inspection: Inspection) -> dict[str, Any]:
    """The inspection page's context besides the object."""
    rows = item_rows(user, inspection)
    measurements = inspection.measurements.select_related(
        "room__floor__building", "measured_by", "decided_by"
    ).order_by("-measured_at")
    cases = unit_cases(user, inspection)
    return {
        "rows": rows,
        "organization_rows": [r for r in rows if r.item.target == "organization"],
        "leader_rows": [r for r in rows if r.item.target == "leader"],
        "checked": sum(1 for r in rows if r.check is not None),
        "cases": list(cases[:SHOWN]),
        "case_count": cases.count(),
        "measurements": measurements,
        "pending_measurements": sum(
            1 for m in measurements if m.state == MeasurementState.RECORDED
        ),
        "may_inspect": services.may_inspect(user, inspection),
        "is_bureau": services.is_bureau(user, inspection.region),
    }


def site_rooms(user, inspection: Inspection, query: str = "") -> QuerySet[Room]:
    """The unit's rooms for the phone page, searchable by room number (or name)."""
    rooms = (
        services.inspection_rooms(inspection)
        .filter(pk__in=Room.objects.restrict(user, "view").values("pk"))
        .order_by("floor__building__name", "floor__number", "number")
    )
    query = (query or "").strip()[:20]
    if query:
        rooms = rooms.filter(Q(number__icontains=query) | Q(name__icontains=query))
    return rooms


def site_people(user, inspection: Inspection, query: str = "") -> QuerySet[Person]:
    people = Person.objects.restrict(user, "view").filter(
        organization__path__startswith=inspection.organization.path
    )
    query = (query or "").strip()[:20]
    if query:
        people = people.filter(name__icontains=query)
    return people.order_by("name", "pk")


def plan_summary(plan: InspectionPlan, inspections: QuerySet[Inspection]) -> dict[str, int]:
    """Inspections of a plan by state (what the account sees of them)."""
    counts = dict(inspections.order_by().values_list("state").annotate(n=Count("pk")))
    return {state: counts.get(state, 0) for state in InspectionState.values}


def my_inspections(user) -> QuerySet[Inspection]:
    """Inspections the account is on the team of, not yet done."""
    return (
        Inspection.objects.restrict(user, "view")
        .filter(Q(inspectors=user) | Q(plan__team=user))
        .exclude(state=InspectionState.DONE)
        .distinct()
    )


def open_tips(user) -> QuerySet[Tip]:
    return Tip.objects.restrict(user, "view").exclude(state="closed")
