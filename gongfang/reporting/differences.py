"""Difference analysis (差异对比分析): one period's figures against another's, per unit and
field, each change put down to its cause and the objects that caused it.

Both periods are read from the registry as of their dates (``registry.asof``), so nothing is
typed by hand. A room's passage from its state at ``before`` to its state at ``after`` is taken
in three steps, each with one cause, so the causes of a unit's change add up to the change:

1. who holds it (it appears, disappears or moves between units): 拍卖拆除 when a disposal case
   moved it or it was deleted under one, 配置调整 when it moved between units (an allocation,
   vacating to the pool, a lease, or a direct edit) or a case registered it, 数据更正 when it was
   added or deleted by hand, and 统计对象 when the unit itself is counted in one period only
   (created, abolished or merged, or moved out of the scope);
2. its category (用途转换);
3. its usable area (数据更正: a case never changes an area).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from ..registry.asof import rows_at_moments
from ..registry.choices import OrganizationStatus, RoomCategory
from ..registry.models import Organization, Region, Room
from ..workflow.choices import CaseKind, CaseState
from ..workflow.models import Case

SUBJECT = "统计对象"
ALLOCATION = "配置调整"
CHANGE_OF_USE = "用途转换"
CORRECTION = "数据更正"
DISPOSAL = "拍卖拆除"
CAUSES = (SUBJECT, ALLOCATION, CHANGE_OF_USE, CORRECTION, DISPOSAL)

COUNT = "rooms"
AREA = "usable_area"
# (code, label) of the compared fields: the room count, the usable area, the area by category.
FIELDS: tuple[tuple[str, str], ...] = (
    (COUNT, "房间数（间）"),
    (AREA, "使用面积合计（㎡）"),
    *((f"area:{c.value}", f"{c.label}使用面积（㎡）") for c in RoomCategory),
)
FIELD_LABELS = dict(FIELDS)
ROOM_FIELDS = ["organization", "category", "usable_area", "number", "floor"]


@dataclass(frozen=True)
class Cause:
    """One object behind a change: a room (and the case that moved it, if one did)."""

    room_id: int | None
    label: str
    delta: Decimal
    case_id: int | None = None
    case_label: str = ""
    organization_id: int | None = None


@dataclass
class DifferenceRow:
    unit_id: int
    unit: str
    field: str
    label: str
    before: Decimal
    after: Decimal
    causes: dict[str, list[Cause]] = field(default_factory=dict)

    @property
    def delta(self) -> Decimal:
        return self.after - self.before

    def cause_total(self, cause: str) -> Decimal:
        return sum((c.delta for c in self.causes.get(cause, ())), Decimal(0))

    @property
    def by_cause(self) -> list[tuple[str, Decimal, list[Cause]]]:
        return [(c, self.cause_total(c), self.causes[c]) for c in CAUSES if c in self.causes]


@dataclass
class Analysis:
    before_at: datetime.datetime
    after_at: datetime.datetime
    units: dict[int, str]
    rows: list[DifferenceRow]
    # Units counted in one period only: {id: "新增" | "减少"}.
    unit_changes: dict[int, str]

    def totals(self) -> dict[str, Decimal]:
        """{cause: sum of the area changes} over all units."""
        out = {c: Decimal(0) for c in CAUSES}
        for row in self.rows:
            if row.field == AREA:
                for cause in CAUSES:
                    out[cause] += row.cause_total(cause)
        return out


def _contribution(state: dict | None, units: set[int]) -> dict[tuple[int, str], Decimal]:
    """What one room state adds to the figures of the unit holding it."""
    if state is None or state["organization"] not in units:
        return {}
    unit, area = state["organization"], state["usable_area"] or Decimal(0)
    return {
        (unit, COUNT): Decimal(1),
        (unit, AREA): area,
        (unit, f"area:{state['category']}"): area,
    }


def _step(a: dict | None, b: dict | None, units_a: set[int], units_b: set[int]):
    """(unit, field) -> change from state ``a`` (counted over ``units_a``) to ``b``."""
    out: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for key, value in _contribution(a, units_a).items():
        out[key] -= value
    for key, value in _contribution(b, units_b).items():
        out[key] += value
    return {k: v for k, v in out.items() if v}


def _units(
    scope: Organization | Region, before: datetime.datetime, after: datetime.datetime
) -> tuple[dict[int, dict], dict[int, dict]]:
    """The units counted at each date: organizations of the scope that were active then."""
    key = "path__startswith" if isinstance(scope, Organization) else "region__path__startswith"
    rows_a, rows_b = rows_at_moments(
        Organization,
        moments=[before, after],
        fields=["name", "status"],
        filters={key: scope.path, "status": OrganizationStatus.ACTIVE},
    )
    return {r["id"]: r for r in rows_a}, {r["id"]: r for r in rows_b}


def _rooms(
    scope: Organization | Region, before: datetime.datetime, after: datetime.datetime
) -> tuple[dict[int, dict], dict[int, dict]]:
    """The scope's rooms at each date, over one read of today's rooms."""
    key = (
        "organization__path__startswith"
        if isinstance(scope, Organization)
        else "organization__region__path__startswith"
    )
    rows_a, rows_b = rows_at_moments(
        Room, moments=[before, after], fields=ROOM_FIELDS, filters={key: scope.path}
    )
    return {r["id"]: r for r in rows_a}, {r["id"]: r for r in rows_b}


def _cases_by_room(before: datetime.datetime, after: datetime.datetime) -> dict[int, list[Case]]:
    """Applied cases of the window that wrote rooms, by room id (their result lists them)."""
    cases = Case.objects.filter(
        state=CaseState.APPLIED, applied_at__gt=before, applied_at__lte=after
    ).filter(~Q(result={}))
    out: dict[int, list[Case]] = defaultdict(list)
    for case in cases.order_by("applied_at", "pk"):
        rooms = case.result.get("rooms") if isinstance(case.result, dict) else None
        for room_id in rooms or ():
            if isinstance(room_id, int):
                out[room_id].append(case)
    return out


def _first(cases: list[Case], kinds: tuple[str, ...] | None = None) -> Case | None:
    return next((c for c in cases if kinds is None or c.kind in kinds), None)


def analyse(
    *, scope: Organization | Region, before: datetime.datetime, after: datetime.datetime
) -> Analysis:
    """The differences between the scope's figures as of ``before`` and as of ``after``."""
    units_a, units_b = _units(scope, before, after)
    ids_a, ids_b = set(units_a), set(units_b)
    rooms_a, rooms_b = _rooms(scope, before, after)
    cases = _cases_by_room(before, after)
    # A room unchanged since ``before`` is the same dict at both dates (rows_at_moments).
    changed = [
        i
        for i in set(rooms_a) | set(rooms_b)
        if rooms_a.get(i) is not rooms_b.get(i) and rooms_a.get(i) != rooms_b.get(i)
    ]
    labels = _room_labels(changed, rooms_a)
    one_sided = ids_a ^ ids_b

    causes: dict[tuple[int, str], dict[str, list[Cause]]] = defaultdict(lambda: defaultdict(list))

    def add(step: dict, cause: str, room_id: int, case: Case | None) -> None:
        for (unit, code), delta in step.items():
            chosen = SUBJECT if unit in one_sided else cause
            causes[(unit, code)][chosen].append(
                Cause(
                    room_id=room_id,
                    label=labels.get(room_id, f"房间 #{room_id}"),
                    delta=delta,
                    case_id=case.pk if case else None,
                    case_label=str(case) if case else "",
                )
            )

    for room_id in changed:
        a, b = rooms_a.get(room_id), rooms_b.get(room_id)
        room_cases = cases.get(room_id, [])
        # 1. who holds it, with its old category and area.
        moved = None if b is None else {**(a or b), "organization": b["organization"]}
        if a is None:
            moved = b
            case = _first(room_cases)
            cause = ALLOCATION if case else CORRECTION
        elif b is None:
            case = _first(room_cases, (CaseKind.DISPOSAL,))
            cause = DISPOSAL if case else CORRECTION
        else:
            case = _first(room_cases, (CaseKind.DISPOSAL,))
            cause = DISPOSAL if case else ALLOCATION
            if case is None:
                case = _first(room_cases)
        add(_step(a, moved, ids_a, ids_b), cause, room_id, case)
        if a is None or b is None:
            continue
        # 2. its category; 3. its area.
        recategorized = {**moved, "category": b["category"]}
        use_case = _first(room_cases, (CaseKind.CHANGE_OF_USE,))
        add(_step(moved, recategorized, ids_b, ids_b), CHANGE_OF_USE, room_id, use_case)
        add(_step(recategorized, b, ids_b, ids_b), CORRECTION, room_id, None)

    figures_a = _figures(rooms_a.values(), ids_a)
    figures_b = _figures(rooms_b.values(), ids_b)
    names = {i: r["name"] for i, r in units_a.items()} | {i: r["name"] for i, r in units_b.items()}
    rows = []
    for unit in sorted(names, key=lambda i: names[i]):
        for code, label in FIELDS:
            old, new = (
                figures_a.get((unit, code), Decimal(0)),
                figures_b.get((unit, code), Decimal(0)),
            )
            found = causes.get((unit, code), {})
            if old == new and not found:
                continue
            rows.append(
                DifferenceRow(
                    unit_id=unit,
                    unit=names[unit],
                    field=code,
                    label=label,
                    before=old,
                    after=new,
                    causes={k: v for k, v in found.items() if v},
                )
            )
    changes = {i: "新增" for i in ids_b - ids_a} | {i: "减少" for i in ids_a - ids_b}
    return Analysis(before, after, names, rows, changes)


def _figures(rooms, units: set[int]) -> dict[tuple[int, str], Decimal]:
    """Every unit's figures: what :func:`_contribution` adds, summed (inline: a province has
    300,000 rooms)."""
    out: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for state in rooms:
        unit = state["organization"]
        if unit not in units:
            continue
        area = state["usable_area"] or Decimal(0)
        out[(unit, COUNT)] += 1
        out[(unit, AREA)] += area
        out[(unit, f"area:{state['category']}")] += area
    return out


def _room_labels(ids: list[int], old: dict[int, dict]) -> dict[int, str]:
    """ "院落 楼座 房间号" of the rooms still registered; a deleted one by its old number."""
    labels = {i: f"房间 {old[i]['number']}（已删除）" for i in ids if i in old}
    for start in range(0, len(ids), 500):
        rooms = Room.objects.filter(pk__in=ids[start : start + 500]).select_related(
            "floor__building__compound"
        )
        labels.update((r.pk, str(r)) for r in rooms)
    return labels
