"""The demo profiles: which parts (cities, province organs) each builds, and at what scale.

The region codes and names come from the shipped division list (read from the CSV, no database),
so the demo always matches what ``load_regions`` loads.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cache

from django.utils import timezone

from ..regions_loader import RegionRow, read_regions
from .builder import build_plan
from .plan import Plan
from .specs import CountySpec, PartSpec, Planting, Targets

PROFILES = ("small", "zaozhuang", "province")
PROVINCE = "37"
ZAOZHUANG = "370400"
SUBPROVINCIAL = {"370100", "370200"}  # 济南, 青岛
# The "today" every date counts back from: fixed, so a seed always gives the same data.
ANCHOR = datetime.date(2026, 1, 1)

# DESIGN §8: the figures of one city like Zaozhuang.
CITY_TARGETS = Targets(
    organizations=251,
    compounds=184,
    buildings=232,
    rooms=17_074,
    persons=10_663,
    usable_area=Decimal("565400.00"),
    building_area=Decimal("1135400.00"),
)
CITY_PLANTING = Planting(
    r1_sole=12,
    r1_shared=15,
    r3_retired=8,
    r3_transferred=5,
    r2_post=10,
    r2_nopost=6,
    r4=5,
    r5=24,
    r6=3,
    r7_rooms=6,
    r8_lent=4,
    r8_leased=3,
    borrowed=6,
    rented=5,
    sealed=8,
    pending_disposal=4,
)
PROVINCE_TARGETS = Targets(
    organizations=500,
    compounds=300,
    buildings=420,
    rooms=36_000,
    persons=22_000,
    usable_area=Decimal("1300000.00"),
    building_area=Decimal("2600000.00"),
)
PROVINCE_PLANTING = Planting(
    r1_sole=20,
    r1_shared=20,
    r3_retired=12,
    r3_transferred=8,
    r2_post=16,
    r2_nopost=8,
    r4=8,
    r5=40,
    r6=4,
    r7_rooms=8,
    r8_lent=6,
    r8_leased=4,
    borrowed=10,
    rented=8,
    sealed=12,
    pending_disposal=6,
)
SMALL_TARGETS = Targets(organizations=8, compounds=5, buildings=6, rooms=60, persons=40)
SMALL_PLANTING = Planting(sealed=1, borrowed=1)

# Approximate seats of government (WGS84), for the compounds' coordinates.
CENTERS: dict[str, tuple[float, float]] = {
    "370000": (117.000, 36.670),
    "370100": (117.121, 36.651),
    "370200": (120.383, 36.067),
    "370300": (118.055, 36.813),
    "370400": (117.323, 34.810),
    "370500": (118.675, 37.434),
    "370600": (121.448, 37.464),
    "370700": (119.162, 36.707),
    "370800": (116.587, 35.415),
    "370900": (117.088, 36.200),
    "371000": (122.121, 37.513),
    "371100": (119.527, 35.417),
    "371300": (118.356, 35.104),
    "371400": (116.358, 37.436),
    "371500": (115.985, 36.457),
    "371600": (117.971, 37.382),
    "371700": (115.481, 35.234),
}


def default_anchor() -> datetime.date:
    """The fixed anchor, or today on a machine whose clock is behind it (no future dates)."""
    return min(ANCHOR, timezone.localdate())


@cache
def _shandong() -> tuple[RegionRow, ...]:
    return tuple(read_regions(PROVINCE))


def _city_spec(code: str, *, counties: tuple[str, ...] | None = None, **extra) -> PartSpec:
    rows = _shandong()
    by_code = {r.code: r for r in rows}
    county_rows = [r for r in rows if r.parent_code == code and r.level == "county"]
    if counties is not None:
        county_rows = [r for r in county_rows if r.code in counties]
    specs = tuple(
        CountySpec(
            code=c.code,
            name=c.name,
            townships=tuple((t.code, t.name) for t in rows if t.parent_code == c.code),
        )
        for c in county_rows
    )
    options = {
        "targets": CITY_TARGETS,
        "planting": CITY_PLANTING,
        "township_cap": 66,
        "subprovincial": code in SUBPROVINCIAL,
        "center": CENTERS.get(code),
    }
    options.update(extra)
    return PartSpec(kind="city", code=code, name=by_code[code].name, counties=specs, **options)


def part_specs(profile: str) -> list[PartSpec]:
    """The parts of a profile, in the order they are written."""
    if profile == "small":
        return [
            _city_spec(
                ZAOZHUANG,
                counties=("370402", "370403"),
                targets=SMALL_TARGETS,
                planting=SMALL_PLANTING,
                city_organ_keys=("政府办公室", "教育局", "机关事务服务中心"),
                county_organs=1,
                township_cap=2,
                lean=True,
            )
        ]
    if profile == "zaozhuang":
        return [_city_spec(ZAOZHUANG)]
    if profile == "province":
        rows = _shandong()
        province = next(r for r in rows if r.level == "province")
        cities = [r.code for r in rows if r.level == "city"]
        return [
            PartSpec(
                kind="province",
                code=province.code,
                name=province.name,
                targets=PROVINCE_TARGETS,
                planting=PROVINCE_PLANTING,
                center=CENTERS.get(province.code),
            ),
            *(_city_spec(code) for code in cities),
        ]
    raise ValueError(f"未知的演示数据规模“{profile}”，可选：{'、'.join(PROFILES)}。")


def region_codes(specs: list[PartSpec]) -> set[str]:
    """Every region a profile's rows refer to."""
    codes: set[str] = set()
    for spec in specs:
        codes.add(spec.code)
        for county in spec.counties:
            codes.add(county.code)
            codes.update(code for code, _ in county.townships)
    return codes


def build_profile(profile: str, *, seed: int, anchor: datetime.date | None = None) -> list[Plan]:
    """All plans of a profile at once (tests and the benchmark; load_demo builds one at a time)."""
    anchor = anchor or default_anchor()
    return [build_plan(spec, seed=seed, anchor=anchor) for spec in part_specs(profile)]
