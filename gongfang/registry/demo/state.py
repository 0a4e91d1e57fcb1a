"""The builder's working state: drafts of the objects being laid out, and shared helpers."""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..choices import OrganizationKind, RoomStatus
from ..uscc import make_uscc
from . import names as N
from .limits import office_limit
from .plan import OrgPlan, PersonPlan, PostPlan
from .specs import PartSpec

K = OrganizationKind


@dataclass
class OrgDraft:
    plan: OrgPlan
    tier: str  # province | city | county | township
    ladder: N.Ladder
    weight: float
    group: str = "government"
    own_site: bool = False
    tags: frozenset[str] = frozenset()
    template_key: str = ""
    county: str = ""  # county code for county and township organizations
    persons: list[int] = field(default_factory=list)
    building: int = -1
    compound: int = -1


@dataclass
class RoomDraft:
    building: int
    org: int | None
    category: str
    subtype: str
    name: str
    cents: int
    status: str = RoomStatus.IN_USE
    status_since: datetime.date | None = None
    occupants: list[tuple[int, datetime.date, datetime.date | None, bool]] = field(
        default_factory=list
    )
    basement: bool = False
    ground: bool = False


@dataclass
class BuildingDraft:
    compound: int
    name: str
    tenants: list[int] = field(default_factory=list)
    rooms: list[int] = field(default_factory=list)
    floors_above: int = 1
    floors_below: int = 0
    fill: float = 0.85
    persons: int = 0


@dataclass
class CompoundDraft:
    name: str
    region_code: str
    owner: int
    kind: str  # center | township | own
    tenants: list[int] = field(default_factory=list)
    buildings: list[int] = field(default_factory=list)
    canteen: bool = False


# Non-office room kinds: (category, subtype, weight, low m², high m²).
SERVICE_MIX: tuple[tuple[str, float, float, float], ...] = (
    ("会议室", 13, 20, 100),
    ("接待室", 5, 18, 40),
    ("档案室", 8, 15, 60),
    ("图书资料室", 2, 18, 60),
    ("机关信息网络用房", 2, 12, 40),
    ("机要保密室", 1.5, 10, 28),
    ("文印室", 3, 10, 28),
    ("收发室", 1.5, 9, 22),
    ("医务室", 1, 14, 36),
    ("值班室", 3, 9, 20),
    ("储藏室", 10, 6, 30),
    ("物业及工勤人员用房", 3, 10, 30),
    ("开水间", 3, 4, 8),
    ("卫生间", 11, 10, 32),
)
EQUIPMENT_MIX: tuple[tuple[str, float, float, float], ...] = (
    ("变配电室", 1, 30, 110),
    ("水泵房", 1, 20, 70),
    ("水箱间", 0.8, 10, 35),
    ("中水处理间", 0.2, 20, 55),
    ("锅炉房", 0.4, 40, 130),
    ("空调机房", 1.4, 18, 80),
    ("通信机房", 1, 14, 45),
    ("电梯机房", 1.2, 14, 36),
    ("智能化设备用房", 1, 14, 45),
)
BASEMENT_EQUIPMENT = {"变配电室", "水泵房", "中水处理间", "锅炉房", "水箱间"}
GROUND_SERVICE = {"收发室", "值班室", "医务室", "接待室"}
GROUP_SIZES = ((1, 0.14), (2, 0.40), (3, 0.30), (4, 0.16))
FIRST_DAY = datetime.date(2008, 1, 1)


def to_cents(value: float) -> int:
    return math.floor(value * 100)


def to_decimal(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def largest_remainder(total: int, weights: list[float], minimum: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` with per-item minimums, exactly."""
    base = sum(minimum)
    if base > total:
        raise ValueError(f"最少需要 {base} 个，超过目标 {total}。")
    rest = total - base
    wsum = sum(weights) or 1.0
    raw = [rest * w / wsum for w in weights]
    out = [m + int(r) for m, r in zip(minimum, raw, strict=True)]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


class BuilderState:
    """What every step of the builder reads and writes; the steps are mixins over it."""

    area_factor: float = 1.0  # how much the non-office rooms were scaled to meet the area target

    def __init__(self, spec: PartSpec, *, seed: int, anchor: datetime.date) -> None:
        self.spec = spec
        self.rng = random.Random(f"gongfang-demo:{seed}:{spec.code}")
        self.anchor = anchor
        self.orgs: list[OrgDraft] = []
        self.persons: list[PersonPlan] = []
        # Rung of each person: top (the head included), deputy, chief, vice_chief or staff.
        self.person_rung: list[str] = []
        self.compounds: list[CompoundDraft] = []
        self.buildings: list[BuildingDraft] = []
        self.rooms: list[RoomDraft] = []
        self.posts: list[PostPlan] = []
        self.history: list[tuple[int, int, datetime.date, datetime.date]] = []
        self.planted: dict[str, list[int]] = defaultdict(list)
        self.r6_excess: dict[int, int] = {}  # planted R6 organization -> cents over A + B
        self.used_bodies: set[str] = set()
        self.county_name = {c.code: c.name for c in spec.counties}

    # ---------------------------------------------------------------- helpers
    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.anchor - datetime.timedelta(days=self.rng.randint(low, high))

    def between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        span = (end - start).days
        return start + datetime.timedelta(days=self.rng.randint(0, max(span, 0)))

    def uscc(self, kind: str, region_code: str) -> str:
        prefix = {K.INSTITUTION: "12", K.MASS: "13", K.DEMOCRATIC: "13"}.get(kind, "11")
        while True:
            body = f"{self.rng.randrange(10**7, 10**8):08d}"
            if body not in self.used_bodies:
                self.used_bodies.add(body)
                return make_uscc(prefix, region_code[:6], body)

    def limit(self, person_key: int) -> int:
        p = self.persons[person_key]
        return office_limit(self.orgs[p.org].plan.effective_standard_level, p.grade)
