"""Rules R1–R9 of DESIGN §4.4 as pure functions over :class:`.facts.Facts`.

Each rule judges the subjects of the facts (rooms, persons, organizations, buildings) and returns
:class:`Finding` objects: the figures, the clause and the parameters it was judged by. No rule
reads the database or the clock; every number comes from the :class:`RuleSet` of the place
(``facts.rulesets``), so a province's local version changes verdicts there and nowhere else.

Which rule set applies: a person's limit is judged under the rule set of the region of the
organization whose row applies (his own, or the post's for a second office); a room, building or
organization under the rule set of its own region.

Decisions the design leaves open, made here:

* R1 counts every current occupant of an office room, whatever his status (R3 flags the retired).
  A second office (not primary) held for a current post in the room's organization counts at the
  post's limit (that organization's row, the post's grade); every other occupancy at the person's
  own limit. An occupant whose grade has no figure in the row makes the room unjudgeable: no R1,
  an R9 finding on the person instead.
* Toilet note (§4.1): a leader's private 卫生间 is a 服务用房 room of subtype 卫生间 with a current
  occupancy of that leader. It is allowed when his grade is one of ``toilet_grades`` and its area
  is at most ``toilet_max_m2``; an allowed toilet counts inside the limit (its area is added to
  his primary office's), any other is an R1 finding on the toilet room.
* R2: offices are current occupancies of 办公室 rooms. Three or more is a finding. With two, the
  second (the non-primary one) needs a current post in the room's organization and must be
  smaller than that post's limit; when only an ended post matches, R4 decides (after its grace).
* R6 (§4.3, existing space): A = Σ leader posts (领导职数) × their limit + the rest of the 编制
  (行政 + 事业) at the 科员及以下 limit; B = service allowance of the row × 编制; actual = usable
  area of the organization's 办公室 + 服务用房. No allowance in the rule set → not judged.
* R8: a 出租/出借 room, and an occupied room of another category than 办公室 (a change of use),
  is flagged unless an approval of that use covers today (``facts.approved_uses``, filled from
  the approved cases through ``compliance.hooks``); a lapsed term is named in the text.
* R9: rooms of a building above its usable area beyond the tolerance; a room whose registered
  usable area differs from its surveyed area beyond the same tolerance; an idle/lent/leased room
  without its status date; an occupied idle room; a retiree without his status date; an occupant
  with no limit in his row; an active organization using office space with no 编制 recorded.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ..registry.choices import AdminLevel, Grade
from ..standards.ruleset import RuleSet, office_key
from .facts import (
    ACTIVE,
    CHANGED_USE,
    IDLE,
    LEASED_OUT,
    LENT,
    OFFICE,
    RETIRED,
    SERVICE,
    STAFF_GRADE,
    TOILET,
    TRANSFERRED,
    ApprovedUseFact,
    Facts,
    OccupancyFact,
    OrgFact,
    PersonFact,
    PostFact,
    RoomFact,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")
GRADE_LABELS = dict(Grade.choices)
LEVEL_LABELS = dict(AdminLevel.choices)
STATUS_LABELS = {LENT: "出借", LEASED_OUT: "出租", IDLE: "闲置"}
EMPLOYMENT_LABELS = {RETIRED: "退休", TRANSFERRED: "调离"}


def m2(value: Decimal | None) -> str | None:
    """An area as stored in figures: two decimals, as text (JSON has no decimals)."""
    return None if value is None else str(Decimal(value).quantize(CENT))


def days(value: datetime.date, today: datetime.date) -> int:
    return (today - value).days


@dataclass(frozen=True)
class Finding:
    """One broken rule about one object: what a warning stores."""

    rule: str
    key: str
    subject: str  # room | person | organization | building
    region_id: int
    organization_id: int | None
    label: str
    summary: str
    figures: dict
    clause: str
    ruleset: dict
    excess_area: Decimal | None = None
    room_id: int | None = None
    person_id: int | None = None
    building_id: int | None = None


@dataclass(frozen=True)
class Limit:
    """The office limit of one person in one office, and why."""

    person_id: int
    limit: Decimal | None
    standard_level: str
    grade: str | None
    grade_source: str  # "grade" (the person's own), "rank_title" (职级 title), "post"
    organization_id: int  # whose row applies
    basis: str  # "本职" or "兼职"
    post_id: int | None
    version: str
    clause: str

    def as_figures(self, person: PersonFact) -> dict:
        return {
            "person": self.person_id,
            "name": person.name,
            "grade": self.grade,
            "grade_label": GRADE_LABELS.get(self.grade or "", self.grade or "—"),
            "standard_level": self.standard_level,
            "standard_level_label": LEVEL_LABELS.get(self.standard_level, self.standard_level),
            "limit": m2(self.limit),
            "basis": self.basis,
            "version": self.version,
        }


def _clause(rs: RuleSet, rule: str) -> str:
    return rs.clause(rule)


def _finding(rs: RuleSet, **kwargs) -> Finding:
    rule = kwargs["rule"]
    return Finding(clause=_clause(rs, rule), ruleset=rs.as_record(), **kwargs)


# Limits --------------------------------------------------------------------------------------------
def person_limit(facts: Facts, person: PersonFact, post: PostFact | None = None) -> Limit:
    """A person's limit under his organization's row, or (``post``) the post's row and grade."""
    org = facts.orgs[post.organization_id if post else person.organization_id]
    rs = facts.ruleset(org.region_path)
    if post is not None:
        grade, source = post.grade, "post"
    else:
        grade = rs.grade_of(person.grade, person.rank_title)
        source = "grade" if person.grade else "rank_title"
    limit = rs.office_limit(org.standard_level, grade) if grade else None
    clause = (rs.clause(office_key(org.standard_level, grade)) if grade else "") or rs.clause(
        "table1"
    )
    return Limit(
        person_id=person.id,
        limit=limit,
        standard_level=org.standard_level,
        grade=grade,
        grade_source=source,
        organization_id=org.id,
        basis="兼职" if post is not None else "本职",
        post_id=post.id if post else None,
        version=rs.label,
        clause=clause,
    )


def post_for(facts: Facts, person_id: int, organization_id: int | None) -> PostFact | None:
    """The current post of ``person_id`` in ``organization_id`` (the one a second office is for)."""
    for post in facts.posts_of(person_id):
        if post.is_current and post.organization_id == organization_id:
            return post
    return None


def ended_post_for(facts: Facts, person_id: int, organization_id: int | None) -> PostFact | None:
    """The most recently ended post of ``person_id`` in ``organization_id``."""
    ended = [
        p
        for p in facts.posts_of(person_id)
        if not p.is_current and p.organization_id == organization_id
    ]
    return max(ended, key=lambda p: p.ended_on, default=None)


def occupant_limit(facts: Facts, occ: OccupancyFact) -> Limit:
    """The limit an occupancy counts at: a second office held for a current post in the room's
    organization at the post's limit, every other at the person's own."""
    person = facts.persons[occ.person_id]
    if not occ.is_primary:
        post = post_for(facts, person.id, facts.rooms[occ.room_id].organization_id)
        if post is not None:
            return person_limit(facts, person, post)
    return person_limit(facts, person)


def is_toilet(room: RoomFact) -> bool:
    return room.category == SERVICE and room.subtype == TOILET


def offices_of(facts: Facts, person_id: int) -> list[OccupancyFact]:
    """Current occupancies of 办公室 rooms, the primary first (else the earliest)."""
    held = [o for o in facts.held(person_id) if facts.rooms[o.room_id].category == OFFICE]
    return sorted(held, key=lambda o: (not o.is_primary, o.started_on, o.id))


def toilet_verdict(facts: Facts, occ: OccupancyFact) -> tuple[bool, str]:
    """Whether a toilet held by a person lies inside his limit (§4.1 note 4), and why not."""
    person = facts.persons[occ.person_id]
    room = facts.rooms[occ.room_id]
    own = person_limit(facts, person)
    rs = facts.ruleset(facts.orgs[person.organization_id].region_path)
    if not rs.toilet_allowed(own.standard_level, own.grade or ""):
        row = LEVEL_LABELS.get(own.standard_level, own.standard_level)
        grade = GRADE_LABELS.get(own.grade or "", "该职级")
        return False, f"{row}{grade}不属于可在办公室面积内配备卫生间的领导人员"
    cap = rs.param("toilet_max_m2")
    if room.usable_area > cap:
        return False, f"卫生间使用面积 {m2(room.usable_area)} m² 超过 {m2(cap)} m²"
    return True, ""


@dataclass
class RoomCheck:
    """R1 of one office room in figures: what the room page explains."""

    room: RoomFact
    limits: list[tuple[OccupancyFact, Limit]] = field(default_factory=list)
    toilets: list[RoomFact] = field(default_factory=list)
    limit: Decimal | None = None
    tolerance: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def judgeable(self) -> bool:
        return bool(self.limits) and self.limit is not None

    @property
    def excess(self) -> Decimal:
        return self.actual - self.limit if self.limit is not None else ZERO

    @property
    def over(self) -> bool:
        return self.judgeable and self.actual > self.limit + self.tolerance


def check_room(facts: Facts, room: RoomFact) -> RoomCheck:
    rs = facts.ruleset(room.region_path)
    check = RoomCheck(room=room, tolerance=rs.param("r1_tolerance_m2"), actual=room.usable_area)
    total: Decimal | None = ZERO
    for occ in sorted(facts.occupants(room.id), key=lambda o: (o.started_on, o.id)):
        limit = occupant_limit(facts, occ)
        check.limits.append((occ, limit))
        total = None if total is None or limit.limit is None else total + limit.limit
        if occ.is_primary:
            for other in facts.held(occ.person_id):
                toilet = facts.rooms[other.room_id]
                if is_toilet(toilet) and toilet_verdict(facts, other)[0]:
                    check.toilets.append(toilet)
                    check.actual += toilet.usable_area
    check.limit = total
    return check


# R1 ------------------------------------------------------------------------------------------------
def r1(facts: Facts) -> Iterable[Finding]:
    for room_id in sorted(facts.subject_rooms):
        room = facts.rooms[room_id]
        rs = facts.ruleset(room.region_path)
        if is_toilet(room):
            for occ in facts.occupants(room.id):
                ok, why = toilet_verdict(facts, occ)
                if ok:
                    continue
                person = facts.persons[occ.person_id]
                yield _finding(
                    rs,
                    rule="R1",
                    key=f"R1:room:{room.id}",
                    subject="room",
                    region_id=room.region_id,
                    organization_id=room.organization_id,
                    label=room.label,
                    summary=f"{person.name}使用的卫生间不符合标准：{why}",
                    figures={
                        "actual": m2(room.usable_area),
                        "limit": m2(rs.param("toilet_max_m2")),
                        "excess": m2(max(ZERO, room.usable_area - rs.param("toilet_max_m2"))),
                        "unit": "m²",
                        "toilet": True,
                        "person": person.id,
                        "name": person.name,
                        "reason": why,
                    },
                    room_id=room.id,
                )
                break
            continue
        if room.category != OFFICE:
            continue
        check = check_room(facts, room)
        if not check.over:
            continue
        excess = check.excess
        sole = len(check.limits) == 1
        who = facts.persons[check.limits[0][0].person_id].name if sole else ""
        summary = (
            f"{who}单独使用，使用面积 {m2(check.actual)} m²，超过本人标准 {m2(check.limit)} m²"
            if sole
            else f"{len(check.limits)} 人合用，使用面积 {m2(check.actual)} m²，超过使用人标准合计 "
            f"{m2(check.limit)} m²"
        )
        yield _finding(
            rs,
            rule="R1",
            key=f"R1:room:{room.id}",
            subject="room",
            region_id=room.region_id,
            organization_id=room.organization_id,
            label=room.label,
            summary=f"{summary}（超 {m2(excess)} m²）",
            figures={
                "actual": m2(check.actual),
                "limit": m2(check.limit),
                "excess": m2(excess),
                "unit": "m²",
                "room_area": m2(room.usable_area),
                "tolerance": m2(check.tolerance),
                "occupants": [
                    limit.as_figures(facts.persons[occ.person_id]) for occ, limit in check.limits
                ],
                "toilets": [{"room": t.id, "area": m2(t.usable_area)} for t in check.toilets],
            },
            excess_area=excess.quantize(CENT),
            room_id=room.id,
        )


# R2 / R4 ---------------------------------------------------------------------------------------------
def _person_finding(facts: Facts, person: PersonFact, rule: str, **kwargs) -> Finding:
    org = facts.orgs[person.organization_id]
    rs = facts.ruleset(org.region_path)
    return _finding(
        rs,
        rule=rule,
        key=f"{rule}:person:{person.id}",
        subject="person",
        region_id=org.region_id,
        organization_id=org.id,
        label=f"{person.name}（{org.name}）",
        person_id=person.id,
        **kwargs,
    )


def _office_list(facts: Facts, offices: list[OccupancyFact]) -> list[dict]:
    return [
        {
            "room": o.room_id,
            "label": facts.rooms[o.room_id].label,
            "area": m2(facts.rooms[o.room_id].usable_area),
            "primary": o.is_primary,
        }
        for o in offices
    ]


def r2_r4(facts: Facts) -> Iterable[Finding]:
    for person_id in sorted(facts.subject_persons):
        person = facts.persons[person_id]
        offices = offices_of(facts, person_id)
        if len(offices) >= 3:
            yield _person_finding(
                facts,
                person,
                "R2",
                summary=f"同时占用 {len(offices)} 间办公室（至多一间本职办公室和一间兼职办公室）",
                figures={
                    "actual": len(offices),
                    "limit": 2,
                    "excess": len(offices) - 2,
                    "unit": "间",
                    "offices": _office_list(facts, offices),
                },
            )
            continue
        if len(offices) < 2:
            continue
        second = offices[1]
        room = facts.rooms[second.room_id]
        post = post_for(facts, person_id, room.organization_id)
        if post is not None:
            limit = person_limit(facts, person, post)
            if limit.limit is None or room.usable_area < limit.limit:
                continue  # no figure: R9 says so; smaller: a compliant second office
            excess = room.usable_area - limit.limit
            yield _person_finding(
                facts,
                person,
                "R2",
                summary=f"兼职办公室使用面积 {m2(room.usable_area)} m²，不小于兼职标准 "
                f"{m2(limit.limit)} m²",
                figures={
                    "actual": m2(room.usable_area),
                    "limit": m2(limit.limit),
                    "excess": m2(excess),
                    "unit": "m²",
                    "offices": _office_list(facts, offices),
                    "post": post.id,
                    "entitlement": limit.as_figures(person),
                },
                excess_area=excess.quantize(CENT),
                room_id=room.id,
            )
            continue
        ended = ended_post_for(facts, person_id, room.organization_id)
        if ended is not None:
            rs = facts.ruleset(facts.orgs[person.organization_id].region_path)
            grace = int(rs.param("r4_grace_days"))
            late = days(ended.ended_on, facts.today)
            if late > grace:
                yield _person_finding(
                    facts,
                    person,
                    "R4",
                    summary=f"兼职已于 {ended.ended_on:%Y-%m-%d} 结束 {late} 天，仍占用兼职办公室"
                    f"（应在 {grace} 天内腾退）",
                    figures={
                        "actual": late,
                        "limit": grace,
                        "excess": late - grace,
                        "unit": "天",
                        "post": ended.id,
                        "post_ended_on": ended.ended_on.isoformat(),
                        "offices": _office_list(facts, offices),
                    },
                    room_id=room.id,
                )
            continue
        yield _person_finding(
            facts,
            person,
            "R2",
            summary="无在任兼职，同时占用两间办公室",
            figures={
                "actual": 2,
                "limit": 1,
                "excess": 1,
                "unit": "间",
                "offices": _office_list(facts, offices),
            },
            room_id=room.id,
        )


# R3 ------------------------------------------------------------------------------------------------
def r3(facts: Facts) -> Iterable[Finding]:
    for person_id in sorted(facts.subject_persons):
        person = facts.persons[person_id]
        if person.employment_status not in (RETIRED, TRANSFERRED) or not person.status_changed_on:
            continue
        held = facts.held(person_id)
        if not held:
            continue
        rs = facts.ruleset(facts.orgs[person.organization_id].region_path)
        grace = int(rs.param("r3_grace_days"))
        late = days(person.status_changed_on, facts.today)
        if late <= grace:
            continue
        what = EMPLOYMENT_LABELS[person.employment_status]
        area = sum((facts.rooms[o.room_id].usable_area for o in held), ZERO)
        yield _person_finding(
            facts,
            person,
            "R3",
            summary=f"已于 {person.status_changed_on:%Y-%m-%d} {what} {late} 天，仍占用 "
            f"{len(held)} 间房间（应在 {grace} 天内腾退）",
            figures={
                "actual": late,
                "limit": grace,
                "excess": late - grace,
                "unit": "天",
                "status": person.employment_status,
                "status_changed_on": person.status_changed_on.isoformat(),
                "area": m2(area),
                "offices": _office_list(facts, held),
            },
        )


# R5 ------------------------------------------------------------------------------------------------
def r5(facts: Facts) -> Iterable[Finding]:
    for room_id in sorted(facts.subject_rooms):
        room = facts.rooms[room_id]
        if room.category not in (OFFICE, SERVICE) or room.status != IDLE or not room.status_since:
            continue
        rs = facts.ruleset(room.region_path)
        limit = int(rs.param("r5_idle_days"))
        idle = days(room.status_since, facts.today)
        if idle <= limit:
            continue
        yield _finding(
            rs,
            rule="R5",
            key=f"R5:room:{room.id}",
            subject="room",
            region_id=room.region_id,
            organization_id=room.organization_id,
            label=room.label,
            summary=f"自 {room.status_since:%Y-%m-%d} 起闲置 {idle} 天（超过 {limit} 天应收回），"
            f"使用面积 {m2(room.usable_area)} m²",
            figures={
                "actual": idle,
                "limit": limit,
                "excess": idle - limit,
                "unit": "天",
                "area": m2(room.usable_area),
                "status_since": room.status_since.isoformat(),
            },
            room_id=room.id,
        )


# R6 ------------------------------------------------------------------------------------------------
@dataclass
class Approved:
    """§4.3 for one organization: the approved total and its parts."""

    org: OrgFact
    staffing: int
    leaders: list[dict]  # grade, label, count, limit, area
    staff_count: int
    staff_limit: Decimal | None
    a: Decimal
    allowance: Decimal | None
    b: Decimal | None
    equipment_ratio: Decimal
    equipment: Decimal | None
    k: Decimal
    k_label: str
    c: Decimal
    s: Decimal | None  # approved building area [A + B + (A+B)×ratio] / K + C
    actual: Decimal  # 办公室 + 服务用房 usable area
    office: Decimal
    service: Decimal
    missing: list[str]

    @property
    def approved(self) -> Decimal | None:
        return None if self.b is None else self.a + self.b

    @property
    def judgeable(self) -> bool:
        return self.approved is not None and self.staffing > 0

    @property
    def excess(self) -> Decimal:
        return self.actual - self.approved if self.approved is not None else ZERO

    @property
    def over(self) -> bool:
        return self.judgeable and self.actual > self.approved


def approved_total(facts: Facts, org: OrgFact) -> Approved:
    rs = facts.ruleset(org.region_path)
    use = facts.org_use.get(org.id)
    leaders, a, missing, counted = [], ZERO, [], 0
    for grade, count in org.leadership:
        limit = rs.office_limit(org.standard_level, grade)
        if limit is None:
            missing.append(GRADE_LABELS.get(grade, grade))
        area = (limit or ZERO) * count
        leaders.append(
            {
                "grade": grade,
                "label": GRADE_LABELS.get(grade, grade),
                "count": count,
                "limit": m2(limit),
                "area": m2(area),
            }
        )
        a += area
        counted += count
    staff_count = max(org.staffing - counted, 0)
    staff_limit = rs.office_limit(org.standard_level, STAFF_GRADE)
    a += (staff_limit or ZERO) * staff_count
    allowance = rs.service_allowance.get(org.standard_level)
    b = allowance * org.staffing if allowance is not None else None
    ratio = rs.param("equipment_ratio")
    equipment = (a + b) * ratio if b is not None else None
    office = use.office if use else ZERO
    service = use.service if use else ZERO
    high = bool(use and use.total and use.high_rise * 2 > use.total)
    k = rs.param("k_high") if high else rs.param("k_multi")
    c = use.ancillary if use else ZERO
    s = (a + b + equipment) / k + c if b is not None and equipment is not None else None
    return Approved(
        org=org,
        staffing=org.staffing,
        leaders=leaders,
        staff_count=staff_count,
        staff_limit=staff_limit,
        a=a,
        allowance=allowance,
        b=b,
        equipment_ratio=ratio,
        equipment=equipment,
        k=k,
        k_label="高层" if high else "多层",
        c=c,
        s=s.quantize(CENT) if s is not None else None,
        actual=office + service,
        office=office,
        service=service,
        missing=missing,
    )


def r6(facts: Facts) -> Iterable[Finding]:
    for org_id in sorted(facts.subject_orgs):
        org = facts.orgs[org_id]
        if org.status != ACTIVE:
            continue
        approved = approved_total(facts, org)
        if not approved.over:
            continue
        rs = facts.ruleset(org.region_path)
        excess = approved.excess
        yield _finding(
            rs,
            rule="R6",
            key=f"R6:organization:{org.id}",
            subject="organization",
            region_id=org.region_id,
            organization_id=org.id,
            label=org.name,
            summary=f"办公室和服务用房使用面积 {m2(approved.actual)} m²，超过核定面积 "
            f"{m2(approved.approved)} m²（A {m2(approved.a)} + B {m2(approved.b)}），"
            f"超 {m2(excess)} m²",
            figures={
                "actual": m2(approved.actual),
                "limit": m2(approved.approved),
                "excess": m2(excess),
                "unit": "m²",
                "office": m2(approved.office),
                "service": m2(approved.service),
                "a": m2(approved.a),
                "b": m2(approved.b),
                "staffing": approved.staffing,
                "allowance": m2(approved.allowance),
                "leaders": approved.leaders,
                "staff_count": approved.staff_count,
                "staff_limit": m2(approved.staff_limit),
            },
            excess_area=excess.quantize(CENT),
        )


# R7 ------------------------------------------------------------------------------------------------
def r7(facts: Facts) -> Iterable[Finding]:
    for org_id in sorted(facts.subject_orgs):
        org = facts.orgs[org_id]
        use = facts.org_use.get(org_id)
        if org.status == ACTIVE or not org.abolished_on or not use or not use.rooms:
            continue
        rs = facts.ruleset(org.region_path)
        grace = int(rs.param("r7_grace_days"))
        late = days(org.abolished_on, facts.today)
        if late <= grace:
            continue
        yield _finding(
            rs,
            rule="R7",
            key=f"R7:organization:{org.id}",
            subject="organization",
            region_id=org.region_id,
            organization_id=org.id,
            label=org.name,
            summary=f"已于 {org.abolished_on:%Y-%m-%d} 撤销/合并 {late} 天，仍占用 {use.rooms} 间房间"
            f"（使用面积 {m2(use.total)} m²）",
            figures={
                "actual": use.rooms,
                "limit": 0,
                "excess": use.rooms,
                "unit": "间",
                "area": m2(use.total),
                "days": late,
                "grace_days": grace,
                "abolished_on": org.abolished_on.isoformat(),
            },
        )


# R8 ------------------------------------------------------------------------------------------------
def approval_in_force(facts: Facts, room_id: int, use: str) -> ApprovedUseFact | None:
    """An approval of ``use`` for the room whose term covers today (None: none)."""
    return next(
        (a for a in facts.approved_uses.get(room_id, ()) if a.use == use and a.covers(facts.today)),
        None,
    )


def lapsed_approval(facts: Facts, room_id: int, use: str) -> ApprovedUseFact | None:
    """The latest approval of ``use`` for the room whose term has ended."""
    ended = [
        a
        for a in facts.approved_uses.get(room_id, ())
        if a.use == use and a.ends_on is not None and a.ends_on < facts.today
    ]
    return max(ended, key=lambda a: a.ends_on, default=None)


def r8(facts: Facts) -> Iterable[Finding]:
    for room_id in sorted(facts.subject_rooms):
        room = facts.rooms[room_id]
        reasons = []
        if room.status in (LENT, LEASED_OUT) and not approval_in_force(facts, room.id, room.status):
            since = f"（自 {room.status_since:%Y-%m-%d} 起）" if room.status_since else ""
            lapsed = lapsed_approval(facts, room.id, room.status)
            if lapsed is not None:
                reference = f"（{lapsed.reference}）" if lapsed.reference else ""
                reasons.append(
                    f"{STATUS_LABELS[room.status]}{since}，经批准的期限已于 "
                    f"{lapsed.ends_on:%Y-%m-%d} 届满{reference}"
                )
            else:
                reasons.append(f"{STATUS_LABELS[room.status]}{since}，未关联经批准的审批事项")
        occupants = facts.occupants(room.id)
        if (
            occupants
            and room.category != OFFICE
            and not is_toilet(room)
            and not approval_in_force(facts, room.id, CHANGED_USE)
        ):
            reasons.append(
                f"非办公室用房被 {len(occupants)} 人用作办公室（改变用途），未关联经批准的用途变更"
            )
        if not reasons:
            continue
        rs = facts.ruleset(room.region_path)
        yield _finding(
            rs,
            rule="R8",
            key=f"R8:room:{room.id}",
            subject="room",
            region_id=room.region_id,
            organization_id=room.organization_id,
            label=room.label,
            summary="；".join(reasons),
            figures={
                "actual": m2(room.usable_area),
                "limit": None,
                "excess": None,
                "unit": "m²",
                "status": room.status,
                "occupants": len(occupants),
                "reasons": reasons,
                "note": "出租、出借或改变用途须经审批（出借、出租、用途变更事项），"
                "批准并在期限内的不再提示；期限届满或未经批准的提示核实。",
            },
            room_id=room.id,
        )


# R9 ------------------------------------------------------------------------------------------------
def survey_gap(
    registered: Decimal | None, surveyed: Decimal | None, tolerance: Decimal
) -> Decimal | None:
    """Registered minus surveyed area when it differs by more than ``tolerance`` of the
    surveyed area (the measured figure is the base), else None (also when either is missing)."""
    if registered is None or not surveyed:
        return None
    difference = Decimal(registered) - Decimal(surveyed)
    return difference if abs(difference) > Decimal(surveyed) * tolerance else None


def r9(facts: Facts) -> Iterable[Finding]:
    for building_id in sorted(facts.subject_buildings):
        b = facts.buildings[building_id]
        rs = facts.ruleset(b.region_path)
        tolerance = rs.param("r9_area_tolerance")
        cap = b.usable_area * (1 + tolerance)
        if b.rooms_usable > cap:
            excess = b.rooms_usable - b.usable_area
            yield _finding(
                rs,
                rule="R9",
                key=f"R9:building:{b.id}",
                subject="building",
                region_id=b.region_id,
                organization_id=b.organization_id,
                label=b.label,
                summary=f"各房间使用面积合计 {m2(b.rooms_usable)} m²，超过楼座使用面积 "
                f"{m2(b.usable_area)} m² 的 {tolerance:.0%} 容差",
                figures={
                    "actual": m2(b.rooms_usable),
                    "limit": m2(cap),
                    "excess": m2(b.rooms_usable - cap),
                    "unit": "m²",
                    "building_usable": m2(b.usable_area),
                    "over_building": m2(excess),
                    "tolerance": str(tolerance),
                },
                building_id=b.id,
            )
    for room_id in sorted(facts.subject_rooms):
        room = facts.rooms[room_id]
        problems = []
        if room.status in (IDLE, LENT, LEASED_OUT) and not room.status_since:
            problems.append(f"使用状态为“{STATUS_LABELS[room.status]}”，未填写状态起始日期")
        if room.status == IDLE and facts.occupants(room.id):
            problems.append("使用状态为“闲置”，却登记有当前使用人员")
        rs = facts.ruleset(room.region_path)
        figures: dict = {"unit": ""}
        tolerance = rs.param("r9_area_tolerance")
        if survey_gap(room.usable_area, room.surveyed_area, tolerance) is not None:
            problems.append(
                f"登记使用面积 {m2(room.usable_area)} m² 与测绘面积 {m2(room.surveyed_area)} m² "
                f"相差超过 {tolerance:.0%} 容差"
            )
            figures.update(
                usable_area=m2(room.usable_area),
                surveyed_area=m2(room.surveyed_area),
                difference=m2(room.usable_area - room.surveyed_area),
                tolerance=str(tolerance),
            )
        if problems:
            yield _finding(
                rs,
                rule="R9",
                key=f"R9:room:{room.id}",
                subject="room",
                region_id=room.region_id,
                organization_id=room.organization_id,
                label=room.label,
                summary="；".join(problems),
                figures={"problems": problems, **figures},
                room_id=room.id,
            )
    for person_id in sorted(facts.subject_persons):
        person = facts.persons[person_id]
        problems = []
        if person.employment_status != ACTIVE and not person.status_changed_on:
            problems.append("在职状态已变动，未填写状态变动日期")
        for occ in offices_of(facts, person_id):
            limit = occupant_limit(facts, occ)
            if limit.limit is None:
                row = LEVEL_LABELS.get(limit.standard_level, limit.standard_level)
                grade = GRADE_LABELS.get(limit.grade or "", "未定职级")
                problems.append(
                    f"{row}标准中没有“{grade}”的面积标准，无法核定办公室 "
                    f"{facts.rooms[occ.room_id].label} 的标准"
                )
        if problems:
            yield _person_finding(
                facts,
                person,
                "R9",
                summary="；".join(problems),
                figures={"problems": problems, "unit": ""},
            )
    for org_id in sorted(facts.subject_orgs):
        org = facts.orgs[org_id]
        use = facts.org_use.get(org_id)
        if org.status != ACTIVE or org.staffing > 0 or not use or not (use.office + use.service):
            continue
        rs = facts.ruleset(org.region_path)
        yield _finding(
            rs,
            rule="R9",
            key=f"R9:organization:{org.id}",
            subject="organization",
            region_id=org.region_id,
            organization_id=org.id,
            label=org.name,
            summary=f"使用办公室和服务用房 {m2(use.office + use.service)} m²，未填写编制数，"
            "无法核定面积",
            figures={"problems": ["未填写编制数"], "unit": ""},
        )


RULES: tuple[Callable[[Facts], Iterable[Finding]], ...] = (r1, r2_r4, r3, r5, r6, r7, r8, r9)


def evaluate(facts: Facts) -> list[Finding]:
    """Every finding about the subjects of ``facts``."""
    return [finding for rule in RULES for finding in rule(facts)]
