"""The plain data the rules read: registry rows as frozen dataclasses, no ORM.

The loader (:mod:`.loader`) fills a :class:`Facts` with a constant number of queries; the rules
(:mod:`.rules`) only read it, so they are pure functions that tests feed by hand. Codes are those
of ``registry.choices`` (grades "division", categories "office", …), repeated here as plain
strings so this module imports nothing from Django.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..standards.ruleset import RuleSet

# registry.choices codes the rules test against.
OFFICE = "office"
SERVICE = "service"
ANCILLARY = "ancillary"
TOILET = "卫生间"
IDLE = "idle"
LENT = "lent"
LEASED_OUT = "leased_out"
CHANGED_USE = "changed_use"  # an approved change of a room's use (not a registry code)
RETIRED = "retired"
TRANSFERRED = "transferred"
ACTIVE = "active"
STAFF_GRADE = "staff"
HIGH_RISE = "high"


@dataclass(frozen=True, slots=True)
class OrgFact:
    id: int
    name: str
    region_id: int
    region_path: str
    level: str
    standard_level: str  # the row of the standard (Organization.effective_standard_level)
    status: str = ACTIVE
    abolished_on: datetime.date | None = None
    staffing: int = 0  # 编制: 行政编制 + 事业编制
    leadership: tuple[tuple[str, int], ...] = ()  # (grade, count) of 领导职数


@dataclass(frozen=True, slots=True)
class PersonFact:
    id: int
    name: str
    organization_id: int
    grade: str
    rank_title: str = ""
    employment_status: str = ACTIVE
    status_changed_on: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class PostFact:
    id: int
    person_id: int
    organization_id: int
    grade: str
    started_on: datetime.date
    ended_on: datetime.date | None = None

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True, slots=True)
class RoomFact:
    id: int
    label: str  # "院落 楼座 房间号", for the warning's subject
    building_id: int
    region_id: int  # of the compound the room stands in
    region_path: str
    category: str
    usable_area: Decimal
    subtype: str = ""
    organization_id: int | None = None
    status: str = "in_use"
    status_since: datetime.date | None = None
    building_area: Decimal | None = None
    surveyed_area: Decimal | None = None  # measured by an applied survey batch (R9)


@dataclass(frozen=True, slots=True)
class ApprovedUseFact:
    """An approval of a room's use (R8): lent, leased out or a change of use, for a term.

    ``use`` is one of LENT, LEASED_OUT, CHANGED_USE; ``ends_on`` empty: no end. ``reference``
    names the approval (a case number) in the warning's text.
    """

    room_id: int
    use: str
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    reference: str = ""

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True, slots=True)
class OccupancyFact:
    """A current occupancy (ended_on is empty)."""

    id: int
    person_id: int
    room_id: int
    started_on: datetime.date
    is_primary: bool = True


@dataclass(frozen=True, slots=True)
class BuildingFact:
    id: int
    label: str
    region_id: int
    region_path: str
    usable_area: Decimal
    rooms_usable: Decimal  # the usable area of all its rooms
    organization_id: int | None = None  # the compound's owner


@dataclass(frozen=True, slots=True)
class OrgUse:
    """An organization's rooms in figures (R6, R7 and the §4.3 explanation)."""

    rooms: int = 0
    office: Decimal = Decimal("0")
    service: Decimal = Decimal("0")
    # 附属用房: building area where recorded, else usable area (C of §4.3).
    ancillary: Decimal = Decimal("0")
    # Usable area of its rooms in 高层 buildings and in all buildings (which K applies).
    high_rise: Decimal = Decimal("0")
    total: Decimal = Decimal("0")


@dataclass
class Facts:
    """What one evaluation needs: the subjects to judge and every row they lead to."""

    today: datetime.date
    rulesets: dict[str, RuleSet]  # region path -> rules in force there
    orgs: dict[int, OrgFact] = field(default_factory=dict)
    persons: dict[int, PersonFact] = field(default_factory=dict)
    rooms: dict[int, RoomFact] = field(default_factory=dict)
    occupancies: list[OccupancyFact] = field(default_factory=list)  # current ones
    posts: list[PostFact] = field(default_factory=list)
    buildings: dict[int, BuildingFact] = field(default_factory=dict)
    org_use: dict[int, OrgUse] = field(default_factory=dict)
    # Approvals of lent, leased-out and changed-use rooms (R8), by room; from compliance.hooks.
    approved_uses: dict[int, tuple[ApprovedUseFact, ...]] = field(default_factory=dict)
    # The objects judged; the rest is context (a room's occupant from another batch).
    subject_rooms: frozenset[int] = frozenset()
    subject_persons: frozenset[int] = frozenset()
    subject_orgs: frozenset[int] = frozenset()
    subject_buildings: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        self._by_room: dict[int, list[OccupancyFact]] = defaultdict(list)
        self._by_person: dict[int, list[OccupancyFact]] = defaultdict(list)
        self._posts: dict[int, list[PostFact]] = defaultdict(list)
        for occ in self.occupancies:
            self._by_room[occ.room_id].append(occ)
            self._by_person[occ.person_id].append(occ)
        for post in self.posts:
            self._posts[post.person_id].append(post)

    def occupants(self, room_id: int) -> list[OccupancyFact]:
        return self._by_room.get(room_id, [])

    def held(self, person_id: int) -> list[OccupancyFact]:
        return self._by_person.get(person_id, [])

    def posts_of(self, person_id: int) -> list[PostFact]:
        return self._posts.get(person_id, [])

    def ruleset(self, region_path: str) -> RuleSet:
        return self.rulesets[region_path]
