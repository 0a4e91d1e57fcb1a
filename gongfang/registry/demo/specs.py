"""What one demo part is asked for: its region, its figures and its planted cases."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Targets:
    organizations: int
    compounds: int
    buildings: int
    rooms: int
    persons: int
    usable_area: Decimal | None = None  # exact Σ Building.usable_area, or free
    building_area: Decimal | None = None


@dataclass(frozen=True)
class Planting:
    """How many of each planted case one part gets."""

    r1_sole: int = 1
    r1_shared: int = 1
    r3_retired: int = 1
    r3_transferred: int = 1
    r2_post: int = 1
    r2_nopost: int = 1
    r4: int = 1
    r5: int = 1
    r6: int = 1  # organizations whose 办公室 + 服务用房 exceed their approved A + B
    r7_rooms: int = 3  # rooms kept by the one abolished organization (0: none abolished)
    r8_lent: int = 1
    r8_leased: int = 1
    # Other room statuses, not breaches by themselves.
    borrowed: int = 0
    rented: int = 0
    sealed: int = 0
    pending_disposal: int = 0


@dataclass(frozen=True)
class CountySpec:
    code: str
    name: str
    townships: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PartSpec:
    kind: str  # "city" | "province"
    code: str
    name: str
    targets: Targets
    planting: Planting
    counties: tuple[CountySpec, ...] = ()
    subprovincial: bool = False
    city_organ_keys: tuple[str, ...] | None = None  # a fixed selection instead of the table
    county_organs: int | None = None  # organs per county; derived from the targets when None
    township_cap: int | None = None
    lean: bool = False  # one of each top post, one deputy: for the tiny profile
    center: tuple[float, float] | None = None  # lng, lat of the seat
    province_name: str = "山东省"
