"""The demo registry as plain data: what will be written, before any database is touched.

Every object has a ``key`` (its index in its list); references between objects are keys, and
regions are referenced by code. The writer turns keys into database ids. Areas are ``Decimal``
with two places; dates never pass the plan's ``anchor``.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..choices import (
    ROOM_SUBTYPES,
    EmploymentStatus,
    OrganizationKind,
    OrganizationStatus,
    RoomCategory,
)
from ..uscc import uscc_errors
from .limits import office_limit

CENT = Decimal("0.01")


@dataclass(slots=True)
class OrgPlan:
    key: int
    name: str
    short_name: str
    kind: str
    level: str
    region_code: str
    uscc: str
    parent: int | None = None
    standard_level: str = ""
    staffing_quota: int = 0
    institution_staffing_quota: int = 0
    status: str = OrganizationStatus.ACTIVE
    abolished_on: datetime.date | None = None
    successor: int | None = None

    @property
    def effective_standard_level(self) -> str:
        return self.standard_level or self.level


@dataclass(slots=True)
class QuotaPlan:
    org: int
    grade: str
    count: int


@dataclass(slots=True)
class CompoundPlan:
    key: int
    name: str
    region_code: str
    owner_org: int
    address: str = ""
    lng: Decimal | None = None
    lat: Decimal | None = None
    land_area: Decimal | None = None
    land_certificate: str = ""


@dataclass(slots=True)
class BuildingPlan:
    key: int
    compound: int
    name: str
    floors_above: int
    floors_below: int
    building_area: Decimal
    usable_area: Decimal
    year_built: int
    height_class: str
    title_status: str


@dataclass(slots=True)
class FloorPlan:
    key: int
    building: int
    number: int


@dataclass(slots=True)
class RoomPlan:
    key: int
    floor: int
    number: str
    name: str
    category: str
    subtype: str
    usable_area: Decimal
    organization: int | None
    status: str
    status_since: datetime.date | None = None


@dataclass(slots=True)
class PersonPlan:
    key: int
    org: int
    number: str
    name: str
    position: str
    grade: str
    staffing_kind: str
    employment_status: str = EmploymentStatus.ACTIVE
    status_changed_on: datetime.date | None = None
    phone: str = ""


@dataclass(slots=True)
class PostPlan:
    person: int
    org: int
    position: str
    grade: str
    started_on: datetime.date
    ended_on: datetime.date | None = None


@dataclass(slots=True)
class OccupancyPlan:
    person: int
    room: int
    started_on: datetime.date
    ended_on: datetime.date | None = None
    is_primary: bool = True


@dataclass(slots=True)
class ParkingLotPlan:
    compound: int
    name: str
    kind: str
    spaces: int


@dataclass(slots=True)
class CanteenPlan:
    compound: int
    name: str
    usable_area: Decimal
    seats: int


@dataclass(slots=True)
class PlantedCase:
    """A rule breach (or a compliant control case) put into the data on purpose."""

    code: str  # e.g. "R1-sole"
    rule: str  # DESIGN §4.4 rule id
    title: str  # Chinese, shown by load_demo
    flagged: bool  # whether the rule must raise a warning for it
    keys: list[int] = field(default_factory=list)  # rooms, persons or organizations
    key_kind: str = "room"  # "room" | "person" | "organization"
    rooms: int = 0  # R7: rooms the abolished organizations still hold
    # R6: by how much each organization of ``keys`` exceeds its approved A + B (usable m²).
    excess: list[Decimal] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.keys)


@dataclass
class Plan:
    """One part of the demo (a city, or the province-level organs), written in one transaction."""

    name: str
    anchor: datetime.date
    organizations: list[OrgPlan] = field(default_factory=list)
    quotas: list[QuotaPlan] = field(default_factory=list)
    compounds: list[CompoundPlan] = field(default_factory=list)
    buildings: list[BuildingPlan] = field(default_factory=list)
    floors: list[FloorPlan] = field(default_factory=list)
    rooms: list[RoomPlan] = field(default_factory=list)
    persons: list[PersonPlan] = field(default_factory=list)
    posts: list[PostPlan] = field(default_factory=list)
    occupancies: list[OccupancyPlan] = field(default_factory=list)
    parking_lots: list[ParkingLotPlan] = field(default_factory=list)
    canteens: list[CanteenPlan] = field(default_factory=list)
    planted: list[PlantedCase] = field(default_factory=list)

    # ---------------------------------------------------------------------------- figures
    def counts(self) -> dict[str, int]:
        return {
            "organizations": len(self.organizations),
            "leadership_quotas": len(self.quotas),
            "compounds": len(self.compounds),
            "buildings": len(self.buildings),
            "floors": len(self.floors),
            "rooms": len(self.rooms),
            "persons": len(self.persons),
            "posts": len(self.posts),
            "occupancies": len(self.occupancies),
            "parking_lots": len(self.parking_lots),
            "canteens": len(self.canteens),
        }

    @property
    def row_count(self) -> int:
        return sum(self.counts().values())

    @property
    def usable_area(self) -> Decimal:
        return sum((b.usable_area for b in self.buildings), Decimal("0.00"))

    @property
    def building_area(self) -> Decimal:
        return sum((b.building_area for b in self.buildings), Decimal("0.00"))

    def region_codes(self) -> set[str]:
        return {o.region_code for o in self.organizations} | {c.region_code for c in self.compounds}

    def planted_case(self, code: str) -> PlantedCase:
        return next(p for p in self.planted if p.code == code)

    # ---------------------------------------------------------------------------- checks
    def current_occupants(self) -> dict[int, list[int]]:
        """room key -> person keys of the current occupancies."""
        out: dict[int, list[int]] = defaultdict(list)
        for occ in self.occupancies:
            if occ.ended_on is None:
                out[occ.room].append(occ.person)
        return out

    def office_limit_of(self, person: PersonPlan, room: RoomPlan) -> int:
        """The person's limit under the standard row of the organization he belongs to."""
        org = self.organizations[person.org]
        return office_limit(org.effective_standard_level, person.grade)

    def problems(self) -> list[str]:
        """Every broken invariant, in words; empty when the plan may be written."""
        errs: list[str] = []
        anchor = self.anchor

        def area_ok(value: Decimal | None, what: str, required: bool = True) -> None:
            if value is None:
                if required:
                    errs.append(f"{what}: 面积为空")
                return
            if value <= 0 or value != value.quantize(CENT):
                errs.append(f"{what}: 面积 {value} 无效")

        usccs = Counter(o.uscc for o in self.organizations)
        for o in self.organizations:
            if uscc_errors(o.uscc):
                errs.append(f"{o.name}: 统一社会信用代码 {o.uscc} 无效")
            if usccs[o.uscc] > 1:
                errs.append(f"{o.name}: 统一社会信用代码重复")
            prefix = "12" if o.kind == OrganizationKind.INSTITUTION else None
            if prefix and not o.uscc.startswith(prefix):
                errs.append(f"{o.name}: 事业单位代码应以 12 开头")
            if o.kind not in (OrganizationKind.INSTITUTION, OrganizationKind.MASS,
                              OrganizationKind.DEMOCRATIC) and not o.uscc.startswith("11"):  # fmt: skip
                errs.append(f"{o.name}: 机关代码应以 11 开头")
            if o.uscc[2:8] != o.region_code[:6]:
                errs.append(f"{o.name}: 代码中的区划 {o.uscc[2:8]} 与单位区划不符")
            if o.abolished_on and o.abolished_on > anchor:
                errs.append(f"{o.name}: 撤销日期在将来")
            if o.parent is not None and o.parent >= o.key:
                errs.append(f"{o.name}: 主管部门须排在前面")
        names = Counter((c.region_code, c.name) for c in self.compounds)
        errs += [f"院落重名: {k}" for k, n in names.items() if n > 1]
        for c in self.compounds:
            area_ok(c.land_area, f"院落 {c.name} 土地面积", required=False)

        by_building: dict[int, Decimal] = defaultdict(Decimal)
        floor_numbers: dict[int, BuildingPlan] = {}
        seen_floor = set()
        for f in self.floors:
            b = self.buildings[f.building]
            floor_numbers[f.key] = b
            if f.number == 0 or f.number > b.floors_above or f.number < -b.floors_below:
                errs.append(f"{b.name}: 楼层 {f.number} 超出层数")
            if (f.building, f.number) in seen_floor:
                errs.append(f"{b.name}: 楼层 {f.number} 重复")
            seen_floor.add((f.building, f.number))
        for b in self.buildings:
            area_ok(b.usable_area, f"楼座 {b.name} 使用面积")
            area_ok(b.building_area, f"楼座 {b.name} 建筑面积")
            if b.usable_area > b.building_area:
                errs.append(f"楼座 {b.name}: 使用面积大于建筑面积")
            if b.year_built > anchor.year:
                errs.append(f"楼座 {b.name}: 建成年份在将来")
        numbers = Counter((r.floor, r.number) for r in self.rooms)
        errs += [f"房间号重复: {k}" for k, n in numbers.items() if n > 1]
        for r in self.rooms:
            area_ok(r.usable_area, f"房间 {r.number} 使用面积")
            by_building[self.floors[r.floor].building] += r.usable_area
            allowed = ROOM_SUBTYPES.get(r.category, ())
            if r.subtype and allowed and r.subtype not in allowed:
                errs.append(f"房间 {r.number}: 用途 {r.subtype} 不属于 {r.category}")
            if r.status_since and r.status_since > anchor:
                errs.append(f"房间 {r.number}: 状态日期在将来")
        for b in self.buildings:
            if by_building[b.key] > b.usable_area:
                errs.append(
                    f"楼座 {b.name}: 房间面积之和 {by_building[b.key]} 超过 {b.usable_area}"
                )

        person_numbers = Counter((p.org, p.number) for p in self.persons)
        errs += [f"人员编号重复: {k}" for k, n in person_numbers.items() if n > 1]
        for p in self.persons:
            if p.employment_status != EmploymentStatus.ACTIVE and not p.status_changed_on:
                errs.append(f"{p.name}: 缺少状态变动日期")
            if p.status_changed_on and p.status_changed_on > anchor:
                errs.append(f"{p.name}: 状态变动日期在将来")
        primaries = Counter(
            o.person for o in self.occupancies if o.ended_on is None and o.is_primary
        )
        errs += [f"人员 {k} 有多间主要办公室" for k, n in primaries.items() if n > 1]
        for o in self.occupancies:
            if o.started_on > anchor or (
                o.ended_on and (o.ended_on > anchor or o.ended_on < o.started_on)
            ):
                errs.append(f"使用记录日期无效: 人员 {o.person} 房间 {o.room}")
        for post in self.posts:
            if post.org == self.persons[post.person].org:
                errs.append(f"兼职单位与本单位相同: 人员 {post.person}")
            if post.started_on > anchor or (
                post.ended_on and (post.ended_on > anchor or post.ended_on < post.started_on)
            ):
                errs.append(f"兼职日期无效: 人员 {post.person}")
        for q in self.quotas:
            if q.count <= 0:
                errs.append(f"领导职数无效: 单位 {q.org}")
        if len({(q.org, q.grade) for q in self.quotas}) != len(self.quotas):
            errs.append("领导职数重复")

        # Office rooms not planted as over-standard must be within their occupants' limits.
        over = set()
        for case in self.planted:
            if case.rule == "R1":
                over.update(case.keys)
        for room_key, people in self.current_occupants().items():
            room = self.rooms[room_key]
            if room.category != RoomCategory.OFFICE:
                errs.append(f"房间 {room.number}: 非办公室却有使用人")
                continue
            limit = sum(self.office_limit_of(self.persons[p], room) for p in people)
            if room_key in over:
                if room.usable_area <= limit:
                    errs.append(f"房间 {room.number}: 预置超标但未超标")
            elif room.usable_area > limit:
                errs.append(f"房间 {room.number}: {room.usable_area} 超过标准 {limit}")
        return errs
