"""Reads of the compliance app: the warning centre's counts, a warning's page, badges, the
explanations on room, person and organization pages, and the dashboard's warning figures.

Every read starts from ``restrict(user)``; counts are grouped in the database (one query per
breakdown), explanations run the same pure rules as the engine on freshly loaded facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.http import urlencode

from ..framework import clock
from ..framework.caching import cached, scope_key
from ..framework.changelog import event_label
from ..framework.selectors import changes_for
from ..registry.choices import AdminLevel, Grade
from ..registry.models import Organization, Person, Region, Room
from .facts import Facts
from .filtersets import overdue_q
from .loader import Selection, held_rooms, load_facts
from .models import ACTIVE_STATES, Mode, Rule, State, Subject, Warning
from .rules import (
    approved_total,
    check_room,
    evaluate,
    is_toilet,
    occupant_limit,
    person_limit,
)
from .services import TRANSITIONS, allowed_transitions

ZERO = Decimal("0")
GRADE_LABELS = dict(Grade.choices)
LEVEL_LABELS = dict(AdminLevel.choices)
EVENT_LABELS = {
    "warning.open": "发现问题，生成预警",
    "warning.resolve": "数据已合规，自动解除",
    "warning.reopen": "问题再次出现，重新打开",
    "warning.transition": "处理",
    "warning.export": "导出",
}


def _link(base: dict[str, str], **changes: Any) -> str:
    params = {k: v for k, v in base.items() if k not in ("page", *changes)}
    params.update({k: v for k, v in changes.items() if v not in (None, "")})
    return reverse("compliance:warning_list") + "?" + urlencode(params)


# Warning centre ---------------------------------------------------------------------------------
@dataclass
class CountRow:
    key: str
    label: str
    count: int
    active: int = 0
    area: Decimal = ZERO
    url: str = ""


@dataclass
class Counts:
    total: int = 0
    active: int = 0
    overdue: int = 0
    area: Decimal = ZERO
    by_rule: list[CountRow] = field(default_factory=list)
    by_state: list[CountRow] = field(default_factory=list)
    by_region: list[CountRow] = field(default_factory=list)
    by_organization: list[CountRow] = field(default_factory=list)
    region_label: str = ""


ORGANIZATION_ROWS = 15


def _region_base(user, query: dict[str, str]) -> Region | None:
    code = (query.get("region") or "").strip()
    if code:
        return Region.objects.filter(code=code).first()
    return user.scope_region if getattr(user, "scope_region_id", None) else None


def counts(user, rows: QuerySet, query: dict[str, str]) -> Counts:
    """The filtered warnings by rule, state, sub-region and organization (five grouped queries);
    each row links to the list with that filter added.

    Cached until the next write (``framework.caching``) by the filtered rows' SQL (scope and
    filters), the query the links carry and the day (what is overdue)."""
    try:
        sql = rows.query.sql_with_params()
    except EmptyResultSet:  # filters that match nothing
        return _counts(user, rows, query)
    return cached(
        "warning-counts",
        (*scope_key(user), sql, tuple(sorted(query.items())), clock.today()),
        lambda: _counts(user, rows, query),
    )


def _counts(user, rows: QuerySet, query: dict[str, str]) -> Counts:
    active = Q(state__in=ACTIVE_STATES)
    result = Counts()
    totals = rows.aggregate(
        n=Count("pk"),
        active=Count("pk", filter=active),
        overdue=Count("pk", filter=overdue_q()),
        area=Sum("excess_area", filter=active & Q(rule=Rule.R1)),
    )
    result.total, result.active, result.overdue = totals["n"], totals["active"], totals["overdue"]
    result.area = totals["area"] or ZERO
    by_rule = {
        r["rule"]: r
        for r in rows.values("rule")
        .annotate(n=Count("pk"), active=Count("pk", filter=active), area=Sum("excess_area"))
        .order_by()
    }
    result.by_rule = [
        CountRow(
            code,
            label,
            by_rule.get(code, {}).get("n", 0),
            by_rule.get(code, {}).get("active", 0),
            by_rule.get(code, {}).get("area") or ZERO,
            _link(query, rule=code),
        )
        for code, label in Rule.choices
    ]
    by_state = dict(rows.values_list("state").annotate(n=Count("pk")).order_by())
    result.by_state = [
        CountRow(code, label, by_state.get(code, 0), url=_link(query, state=code))
        for code, label in State.choices
    ]
    base = _region_base(user, query)
    if base is not None:
        result.region_label = base.name
        depth = base.path.count("/")
        grouped: dict[str, list[int]] = {}
        for path, n, n_active in (
            rows.filter(region__path__startswith=base.path)
            .values_list("region__path")
            .annotate(n=Count("pk"), a=Count("pk", filter=active))
            .order_by()
        ):
            child = "/".join(path.split("/")[: depth + 1]) + "/" if path != base.path else path
            acc = grouped.setdefault(child, [0, 0])
            acc[0] += n
            acc[1] += n_active
        found = Region.objects.filter(path__in=grouped).values_list("path", "code", "name")
        names = {path: code for path, code, _ in found}
        labels = {path: name for path, _, name in found}
        for path, (n, n_active) in sorted(grouped.items(), key=lambda kv: -kv[1][0]):
            own = path == base.path
            result.by_region.append(
                CountRow(
                    names.get(path, path),
                    f"{labels.get(path, path)}（本级）" if own else labels.get(path, path),
                    n,
                    n_active,
                    url="" if own else _link(query, region=names.get(path)),
                )
            )
    by_org = list(
        rows.filter(organization__isnull=False)
        .values("organization_id", "organization__name")
        .annotate(n=Count("pk"), a=Count("pk", filter=active))
        .order_by("-n", "organization__name")[:ORGANIZATION_ROWS]
    )
    result.by_organization = [
        CountRow(
            str(r["organization_id"]),
            r["organization__name"],
            r["n"],
            r["a"],
            url=_link(query, organization=r["organization_id"]),
        )
        for r in by_org
    ]
    return result


# A warning's page -------------------------------------------------------------------------------
def linked_objects(user, warning: Warning) -> list[dict[str, Any]]:
    """The objects a warning is about, each linked when the account may open it."""
    result = []
    for name in ("room", "person", "building", "organization"):
        obj = getattr(warning, name)
        if obj is None:
            continue
        model = type(obj)
        visible = model.objects.restrict(user).filter(pk=obj.pk).exists()
        result.append(
            {
                "label": str(model._meta.verbose_name),
                "name": getattr(obj, "name", None) or str(obj),
                "url": obj.get_absolute_url() if visible else "",
            }
        )
    return result


def history(warning: Warning) -> list[dict[str, Any]]:
    """The warning's events, newest first: who, what, from, to, why."""
    states, modes = dict(State.choices), dict(Mode.choices)
    rows = []
    for change in changes_for(warning)[:100]:
        data = change.postchange_data or {}
        label = EVENT_LABELS.get(change.event) or (
            event_label(change.event) if change.event else change.get_action_display()
        )
        if change.event == "warning.transition":
            label = data.get("label") or label
        elif change.event == "warning.waiver_request":
            label = f"{data.get('label') or '暂不整改/备案'}（提请审批）"
        rows.append(
            {
                "time": change.time,
                # As every change log names the account: its name, then the login name.
                "user": (
                    f"{change.user.name}（{change.user_name}）"
                    if change.user_id and change.user and change.user.name
                    else change.user_name
                ),
                "event": change.event,
                "label": label,
                "from": states.get(data.get("from"), data.get("from") or ""),
                "to": states.get(data.get("to"), data.get("to") or ""),
                "mode": modes.get(data.get("mode"), data.get("mode") or ""),
                "deadline": data.get("deadline") or "",
                "reason": data.get("reason") or "",
                "approver": data.get("approver") or "",
                "summary": data.get("summary") or "",
                "case": data.get("case") or "",
            }
        )
    return rows


def figure_rows(warning: Warning) -> list[tuple[str, str]]:
    """The headline figures (actual, limit, excess) with their unit, for the page and export."""
    f = warning.figures or {}
    unit = f.get("unit") or ""
    rows = []
    for key, label in (("actual", "实际"), ("limit", "标准/限值"), ("excess", "超出")):
        value = f.get(key)
        if value not in (None, ""):
            rows.append((label, f"{value} {unit}".strip()))
    return rows


def params_rows(warning: Warning) -> list[tuple[str, str]]:
    from ..standards.models import PARAM_LABELS

    params = (warning.ruleset or {}).get("params", {})
    return [(PARAM_LABELS.get(k, k), v) for k, v in params.items()]


def warning_page(user, warning: Warning) -> dict[str, Any]:
    return {
        "linked": linked_objects(user, warning),
        "history": history(warning),
        "figures": figure_rows(warning),
        "params": params_rows(warning),
        "versions": (warning.ruleset or {}).get("versions", []),
        "transitions": allowed_transitions(user, warning),
        "all_transitions": TRANSITIONS,
    }


# Badges -----------------------------------------------------------------------------------------
def badge(user, **about) -> dict[str, Any] | None:
    """Warnings about one room, person or organization the account can see (one query)."""
    if not user.has_model_perm(Warning, "view"):
        return None
    ((name, obj),) = about.items()
    figures = (
        Warning.objects.restrict(user)
        .filter(**{name: obj})
        .aggregate(
            total=Count("pk"),
            active=Count("pk", filter=Q(state__in=ACTIVE_STATES)),
            overdue=Count("pk", filter=overdue_q()),
        )
    )
    figures["url"] = reverse("compliance:warning_list") + "?" + urlencode({name: obj.pk})
    figures["active_url"] = figures["url"] + "&active=true"
    return figures


# Explanations -----------------------------------------------------------------------------------
def _facts(selection: Selection) -> tuple[Facts | None, str]:
    try:
        return load_facts(selection, today=clock.today()), ""
    except LookupError as exc:  # no national standard in force
        return None, str(exc) or "没有有效的面积标准版本。"


def _limit_row(limit, person) -> dict[str, Any]:
    return {
        "person": person,
        "limit": limit.limit,
        "grade_code": limit.grade or "",
        "standard_level_code": limit.standard_level,
        "grade": GRADE_LABELS.get(limit.grade or "", limit.grade or "未定"),
        "grade_source": {"grade": "本人职级", "rank_title": "职级名称对照", "post": "兼任职级"}[
            limit.grade_source
        ],
        "standard_level": LEVEL_LABELS.get(limit.standard_level, limit.standard_level),
        "basis": limit.basis,
        "version": limit.version,
        "clause": limit.clause,
    }


def _verdict(findings, *keys_prefix: str) -> list[dict[str, Any]]:
    return [
        {"rule": f.rule, "label": dict(Rule.choices)[f.rule], "summary": f.summary, "key": f.key}
        for f in findings
        if f.key.startswith(keys_prefix)
    ]


def person_entitlement(user, person: Person) -> dict[str, Any]:
    """A person's limit and why: the row and grade applied, the version and clause, his offices
    (each at the limit it counts at) and the verdict of the rules about him and his rooms."""
    persons = Q(pk=person.pk)
    facts, error = _facts(Selection(rooms=held_rooms(persons), persons=persons))
    if facts is None:
        return {"error": error}
    fact = facts.persons[person.pk]
    own = person_limit(facts, fact)
    rooms = {
        r.pk: r
        for r in Room.objects.restrict(user)
        .filter(pk__in=[o.room_id for o in facts.held(person.pk)])
        .select_related("floor__building__compound", "organization")
    }
    offices = []
    for occ in sorted(facts.held(person.pk), key=lambda o: (not o.is_primary, o.started_on)):
        room_fact = facts.rooms[occ.room_id]
        limit = occupant_limit(facts, occ)
        entry = {
            "room": rooms.get(occ.room_id),
            "label": room_fact.label,
            "area": room_fact.usable_area,
            "primary": occ.is_primary,
            "toilet": is_toilet(room_fact),
            "limit": _limit_row(limit, None),
            "occupants": len(facts.occupants(occ.room_id)),
        }
        if room_fact.category == "office":
            check = check_room(facts, room_fact)
            entry["room_limit"] = check.limit
            entry["over"] = check.over
        offices.append(entry)
    findings = evaluate(facts)
    rs = facts.ruleset(facts.orgs[fact.organization_id].region_path)
    return {
        "own": _limit_row(own, None),
        "organization": facts.orgs[fact.organization_id].name,
        "offices": offices,
        "office_area": sum((o["area"] for o in offices if not o["toilet"]), ZERO),
        "findings": _verdict(findings, ""),
        "ruleset": rs.as_record(),
        "version": rs.label,
    }


def room_explanation(user, room: Room) -> dict[str, Any]:
    """A room's occupants with their limits, their sum, its area and the verdict."""
    facts, error = _facts(Selection.of(rooms=[room.pk]))
    if facts is None:
        return {"error": error}
    fact = facts.rooms[room.pk]
    check = check_room(facts, fact)
    persons = Person.objects.restrict(user).in_bulk([o.person_id for o, _ in check.limits])
    rs = facts.ruleset(fact.region_path)
    return {
        "is_office": fact.category == "office",
        "occupants": [
            _limit_row(limit, persons.get(occ.person_id))
            | {"name": facts.persons[occ.person_id].name, "primary": occ.is_primary}
            for occ, limit in check.limits
        ],
        "toilets": [{"label": t.label, "area": t.usable_area} for t in check.toilets],
        "limit": check.limit,
        "tolerance": check.tolerance,
        "area": fact.usable_area,
        "actual": check.actual,
        "excess": check.excess if check.judgeable else None,
        "below": -check.excess if check.judgeable and check.excess < 0 else None,
        "judgeable": check.judgeable,
        "over": check.over,
        "findings": _verdict(evaluate(facts), ""),
        "approvals": approval_rows(facts, room.pk),
        "version": rs.label,
        "clause": rs.clause("R1"),
    }


APPROVED_USE_LABELS = {"lent": "出借", "leased_out": "出租", "changed_use": "用途变更"}


def approval_rows(facts, room_id: int) -> list[dict[str, Any]]:
    """The approvals R8 knows for the room (出借、出租、用途变更), latest first, with whether
    each covers today."""
    rows = sorted(facts.approved_uses.get(room_id, ()), key=lambda a: a.starts_on, reverse=True)
    return [
        {
            "use": APPROVED_USE_LABELS.get(a.use, a.use),
            "starts_on": a.starts_on,
            "ends_on": a.ends_on,
            "reference": a.reference,
            "in_force": a.covers(facts.today),
        }
        for a in rows
    ]


def organization_explanation(user, org: Organization) -> dict[str, Any]:
    """§4.3 for an organization: A, B, the 9%, C, K and S against its actual use."""
    facts, error = _facts(Selection.of(organizations=[org.pk]))
    if facts is None:
        return {"error": error}
    fact = facts.orgs[org.pk]
    approved = approved_total(facts, fact)
    rs = facts.ruleset(fact.region_path)
    return {
        "standard_level": LEVEL_LABELS.get(fact.standard_level, fact.standard_level),
        "approved": approved,
        "excess": approved.excess if approved.judgeable else None,
        "findings": _verdict(evaluate(facts), ""),
        "version": rs.label,
        "formula": rs.clause("formula"),
        "clause": rs.clause("R6"),
    }


# Dashboard --------------------------------------------------------------------------------------
@dataclass
class DashboardWarnings:
    active: int = 0
    overdue: int = 0
    area: Decimal = ZERO
    by_rule: list[CountRow] = field(default_factory=list)
    by_key: dict[str, CountRow] = field(default_factory=dict)  # breakdown row key -> figures
    organizations: list[CountRow] = field(default_factory=list)
    rooms: list[dict[str, Any]] = field(default_factory=list)
    list_url: str = ""


DASHBOARD_ROWS = 10


def dashboard_warnings(user, board) -> DashboardWarnings | None:
    """Open warnings and over-standard area (R1 excess) of the dashboard's current node, by rule,
    by each breakdown row, by organization and the worst rooms (five grouped queries)."""
    if board.mode == "none" or not user.has_model_perm(Warning, "view"):
        return None
    rows = Warning.objects.restrict(user).filter(state__in=ACTIVE_STATES)
    current = board.current
    if board.mode == "region":
        rows = rows.filter(region__path__startswith=current.path)
        query = {"region": current.code, "active": "true"}
    else:
        rows = rows.filter(organization__path__startswith=current.path)
        query = {"unit": current.pk, "active": "true"}
    over = Q(rule=Rule.R1)
    result = DashboardWarnings(list_url=_link(query))
    totals = rows.aggregate(
        n=Count("pk"), overdue=Count("pk", filter=overdue_q()), area=Sum("excess_area", filter=over)
    )
    result.active, result.overdue = totals["n"], totals["overdue"]
    result.area = totals["area"] or ZERO
    by_rule = dict(rows.values_list("rule").annotate(n=Count("pk")).order_by())
    result.by_rule = [
        CountRow(code, label, by_rule[code], url=_link(query, rule=code))
        for code, label in Rule.choices
        if by_rule.get(code)
    ]
    # Per breakdown row: a sub-region (by path prefix) or a sub-unit (by organization path).
    if board.mode == "region":
        depth = current.path.count("/")
        grouped = rows.values_list("region__path").annotate(
            n=Count("pk"), area=Sum("excess_area", filter=over)
        )
        own_url = (
            reverse("compliance:warning_list")
            + "?"
            + urlencode({"region_only": current.code, "active": "true"})
        )
        for path, n, area in grouped.order_by():
            # The region's own level is the breakdown's "" row (本级).
            code = [c for c in path.split("/") if c][depth] if path != current.path else ""
            row = result.by_key.setdefault(code, CountRow(code, code, 0))
            row.count += n
            row.area += area or ZERO
            row.url = _link(query, region=code) if code else own_url
    else:
        depth = current.path.strip("/").count("/") + 1
        grouped = rows.values_list("organization__path").annotate(
            n=Count("pk"), area=Sum("excess_area", filter=over)
        )
        for path, n, area in grouped.order_by():
            ids = [c for c in (path or "").split("/") if c]
            key = ids[depth] if len(ids) > depth else ""
            row = result.by_key.setdefault(key, CountRow(key, key, 0))
            row.count += n
            row.area += area or ZERO
            row.url = _link(query, unit=key) if key else _link(query, organization=current.pk)
    for row in board.rows:  # the dashboard's breakdown rows carry their warning figures
        row.warnings = result.by_key.get(row.key) if row.key is not None else None
    result.organizations = [
        CountRow(
            str(r["organization_id"]),
            r["organization__name"],
            r["n"],
            area=r["area"] or ZERO,
            url=reverse("home") + "?" + urlencode({"organization": r["organization_id"]}),
        )
        for r in rows.filter(organization__isnull=False)
        .values("organization_id", "organization__name")
        .annotate(n=Count("pk"), area=Sum("excess_area", filter=over))
        .order_by("-area", "-n", "organization__name")[:DASHBOARD_ROWS]
    ]
    result.rooms = [
        {
            "label": w.subject_label,
            "area": w.excess_area,
            "summary": w.summary,
            "url": reverse("registry:room", args=[w.room_id]),
            "warning_url": w.get_absolute_url(),
        }
        for w in rows.filter(rule=Rule.R1, subject=Subject.ROOM, room__isnull=False)
        .only("subject_label", "excess_area", "summary", "room_id")
        .order_by("-excess_area", "pk")[:DASHBOARD_ROWS]
    ]
    return result


# Registry pages ---------------------------------------------------------------------------------
EXPLAIN = {
    "room": room_explanation,
    "person": person_entitlement,
    "organization": organization_explanation,
}


def page_context(user, **about) -> dict[str, Any]:
    """What a room's, person's or organization's page adds: the warning badge and the
    explanation card, for accounts that may read warnings (nothing otherwise)."""
    if not user.has_model_perm(Warning, "view"):
        return {}
    ((name, obj),) = about.items()
    return {"warning_badge": badge(user, **about), "explanation": EXPLAIN[name](user, obj)}
