"""Hand-built rule sets and facts for the pure rule tests (no database)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from types import MappingProxyType

from ...standards.ruleset import RuleSet
from ..facts import (
    ApprovedUseFact,
    BuildingFact,
    Facts,
    OccupancyFact,
    OrgFact,
    OrgUse,
    PersonFact,
    PostFact,
    RoomFact,
)

LEVELS = ("central", "province", "city", "county", "township")
GRADES = (
    "minister",
    "vice_minister",
    "bureau",
    "vice_bureau",
    "division",
    "vice_division",
    "section",
    "vice_section",
    "staff",
)
# DESIGN §4.1, 表1 — written out again here so the engine is checked against the design itself.
TABLE_1 = {
    "central":  (54,   42,   24,   18,   12, 12, 9,  9,  9),
    "province": (54,   42,   30,   24,   18, 12, 9,  9,  9),
    "city":     (None, None, 42,   30,   24, 18, 9,  9,  9),
    "county":   (None, None, None, None, 30, 24, 18, 12, 9),
}  # fmt: skip
CELLS = [
    (level, grade, Decimal(area))
    for level, row in TABLE_1.items()
    for grade, area in zip(GRADES, row, strict=True)
    if area is not None
]
PARAMS = {
    "r1_tolerance_m2": Decimal("0"),
    "r3_grace_days": Decimal("30"),
    "r4_grace_days": Decimal("60"),
    "r5_idle_days": Decimal("183"),
    "r7_grace_days": Decimal("90"),
    "r9_area_tolerance": Decimal("0.03"),
    "equipment_ratio": Decimal("0.09"),
    "k_multi": Decimal("0.65"),
    "k_high": Decimal("0.60"),
    "toilet_max_m2": Decimal("6"),
}
TOILET_CELLS = frozenset(
    {
        ("central", "minister"),
        ("central", "vice_minister"),
        ("province", "minister"),
        ("province", "vice_minister"),
    }
)
SERVICE = {"central": 8, "province": 8, "city": 7, "county": 6, "township": 6}

SHANDONG = "370000/"
JIANGSU = "320000/"


def ruleset(
    *,
    township: dict[str, int] | None = None,
    params: dict[str, str] | None = None,
    label: str = "测试国家标准",
    version: int = 1,
) -> RuleSet:
    """The national table (plus a 乡级 row when given), default parameters, clauses by rule."""
    limits = {(level, grade): area for level, grade, area in CELLS}
    versions = [(version, label, "DESIGN §4.1")]
    for grade, area in (township or {}).items():
        limits[("township", grade)] = Decimal(area)
        versions = [(version, label, "DESIGN §4.1"), (version + 1, "测试乡级地方标准", "测试")]
    values = dict(PARAMS)
    values.update({k: Decimal(v) for k, v in (params or {}).items()})
    return RuleSet(
        versions=tuple(versions),
        office_limits=MappingProxyType(limits),
        grade_equivalence=MappingProxyType({"一级调研员": "division"}),
        service_allowance=MappingProxyType({k: Decimal(v) for k, v in SERVICE.items()}),
        toilet_grades=frozenset(g for _, g in TOILET_CELLS),
        params=MappingProxyType(values),
        clauses=MappingProxyType({f"R{i}": f"第 R{i} 条" for i in range(1, 10)}),
        toilet_cells=TOILET_CELLS,
    )


class Scene:
    """A few registry rows as facts; ``facts()`` makes every row a subject unless told."""

    def __init__(self, today: datetime.date = datetime.date(2026, 6, 1), **rulesets: RuleSet):
        self.today = today
        self.rulesets = {SHANDONG: ruleset(), JIANGSU: ruleset(), **rulesets}
        self.ids = itertools.count(1)
        self.orgs: dict[int, OrgFact] = {}
        self.persons: dict[int, PersonFact] = {}
        self.rooms: dict[int, RoomFact] = {}
        self.occupancies: list[OccupancyFact] = []
        self.posts: list[PostFact] = []
        self.buildings: dict[int, BuildingFact] = {}
        self.use: dict[int, OrgUse] = {}
        self.approvals: dict[int, list[ApprovedUseFact]] = {}

    def org(self, level: str = "county", *, region: str = SHANDONG, **kwargs) -> OrgFact:
        kwargs.setdefault("standard_level", level)
        org = OrgFact(
            id=next(self.ids),
            name=f"单位{len(self.orgs) + 1}",
            region_id=1 if region == SHANDONG else 2,
            region_path=region,
            level=level,
            **kwargs,
        )
        self.orgs[org.id] = org
        return org

    def person(self, org: OrgFact, grade: str = "staff", **kwargs) -> PersonFact:
        person = PersonFact(
            id=next(self.ids),
            name=f"人员{len(self.persons) + 1}",
            organization_id=org.id,
            grade=grade,
            **kwargs,
        )
        self.persons[person.id] = person
        return person

    def room(
        self, area: str | Decimal, org: OrgFact | None = None, *, category: str = "office", **kw
    ) -> RoomFact:
        region = org.region_path if org else SHANDONG
        room = RoomFact(
            id=next(self.ids),
            label=f"房间{len(self.rooms) + 1}",
            building_id=kw.pop("building_id", 1),
            region_id=1 if region == SHANDONG else 2,
            region_path=region,
            category=category,
            usable_area=Decimal(area),
            organization_id=org.id if org else None,
            **kw,
        )
        self.rooms[room.id] = room
        return room

    def occupy(
        self,
        person: PersonFact,
        room: RoomFact,
        *,
        primary: bool = True,
        started: datetime.date = datetime.date(2024, 1, 1),
    ) -> OccupancyFact:
        occ = OccupancyFact(next(self.ids), person.id, room.id, started, primary)
        self.occupancies.append(occ)
        return occ

    def post(
        self,
        person: PersonFact,
        org: OrgFact,
        grade: str,
        *,
        ended: datetime.date | None = None,
        started: datetime.date = datetime.date(2023, 1, 1),
    ) -> PostFact:
        post = PostFact(next(self.ids), person.id, org.id, grade, started, ended)
        self.posts.append(post)
        return post

    def building(self, usable: str, rooms: str, region: str = SHANDONG) -> BuildingFact:
        b = BuildingFact(
            id=next(self.ids),
            label="1号楼",
            region_id=1,
            region_path=region,
            usable_area=Decimal(usable),
            rooms_usable=Decimal(rooms),
        )
        self.buildings[b.id] = b
        return b

    def uses(self, org: OrgFact, **figures: str | int) -> None:
        self.use[org.id] = OrgUse(
            **{k: v if isinstance(v, int) else Decimal(v) for k, v in figures.items()}
        )

    def approve(
        self, room: RoomFact, use: str, starts_on: datetime.date, ends_on=None, reference=""
    ) -> ApprovedUseFact:
        """An approved case covering the room's ``use`` (what compliance.hooks provides)."""
        fact = ApprovedUseFact(room.id, use, starts_on, ends_on, reference)
        self.approvals.setdefault(room.id, []).append(fact)
        return fact

    def days_ago(self, n: int) -> datetime.date:
        return self.today - datetime.timedelta(days=n)

    def facts(self, **subjects) -> Facts:
        return Facts(
            today=self.today,
            rulesets=self.rulesets,
            orgs=self.orgs,
            persons=self.persons,
            rooms=self.rooms,
            occupancies=self.occupancies,
            posts=self.posts,
            buildings=self.buildings,
            org_use=self.use,
            approved_uses={k: tuple(v) for k, v in self.approvals.items()},
            subject_rooms=frozenset(subjects.get("rooms", self.rooms)),
            subject_persons=frozenset(subjects.get("persons", self.persons)),
            subject_orgs=frozenset(subjects.get("orgs", self.orgs)),
            subject_buildings=frozenset(subjects.get("buildings", self.buildings)),
        )
