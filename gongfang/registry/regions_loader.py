"""Load the administrative-division list (GB/T 2260, 2022) shipped in ``data/regions``.

The CSVs give short codes (province 2 digits, city 4); the database keeps the full 6-digit codes
(province ``XX0000``, city ``XXXX00``, county as given) and the 9-digit township codes. Loading is
idempotent: rows are matched by code, missing ones are created, changed ones updated.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ..framework.text import is_number
from .choices import RegionLevel
from .models import Region

DATA_DIR = Path(__file__).resolve().parent / "data" / "regions"
LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
BATCH_SIZE = 2000


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str | None
    path: str


@dataclass
class LevelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class LoadResult:
    levels: dict[str, LevelCounts] = field(
        default_factory=lambda: {lv: LevelCounts() for lv in LEVELS}
    )

    @property
    def created(self) -> int:
        return sum(c.created for c in self.levels.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.levels.values())

    @property
    def total(self) -> int:
        return sum(c.total for c in self.levels.values())

    def lines(self) -> list[str]:
        """One Chinese line per level, for the command's report."""
        return [
            f"{RegionLevel(level).label}：{c.total:,} 个（新增 {c.created:,}，更新 {c.updated:,}，"
            f"未变 {c.unchanged:,}）"
            for level, c in self.levels.items()
        ]


def normalize_province(value: str) -> str:
    """Accept "37" or "370000"; return the 2-digit prefix used by the CSVs."""
    value = value.strip()
    if len(value) == 6 and value.endswith("0000"):
        value = value[:2]
    if len(value) != 2 or not is_number(value):
        raise ValueError(f"省级区划代码“{value}”无效，应为 2 位（如 37）或 6 位（如 370000）。")
    return value


def _read(name: str, data_dir: Path) -> Iterable[dict[str, str]]:
    with (data_dir / name).open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def read_regions(province: str | None = None, *, data_dir: Path = DATA_DIR) -> list[RegionRow]:
    """Every row of the list (or of one province), parents before children."""
    prov = normalize_province(province) if province else None
    rows: list[RegionRow] = []
    path_of: dict[str, str] = {}

    def add(code: str, name: str, level: str, parent: str | None) -> None:
        path = (path_of[parent] if parent else "") + f"{code}/"
        path_of[code] = path
        rows.append(RegionRow(code, name, level, parent, path))

    for r in _read("provinces.csv", data_dir):
        if prov is None or r["code"] == prov:
            add(f"{r['code']}0000", r["name"], RegionLevel.PROVINCE, None)
    for r in _read("cities.csv", data_dir):
        if prov is None or r["provinceCode"] == prov:
            add(f"{r['code']}00", r["name"], RegionLevel.CITY, f"{r['provinceCode']}0000")
    city_codes = set(path_of)
    for r in _read("areas.csv", data_dir):
        if prov is not None and r["provinceCode"] != prov:
            continue
        # 东莞/中山/儋州 have no counties: the list repeats the city under its own code.
        if r["code"] in city_codes:
            continue
        add(r["code"], r["name"], RegionLevel.COUNTY, f"{r['cityCode']}00")
    for r in _read("streets.csv", data_dir):
        if prov is None or r["provinceCode"] == prov:
            add(r["code"], r["name"], RegionLevel.TOWNSHIP, r["areaCode"])
    return rows


def load_regions(*, province: str | None = None, batch_size: int = BATCH_SIZE) -> LoadResult:
    """Create or update the regions of the list (all, or one province), level by level."""
    rows = read_regions(province)
    result = LoadResult()
    now = timezone.now()  # bulk_update skips auto_now
    with transaction.atomic():
        prefix = f"{rows[0].code[:2]}" if province and rows else ""
        existing: dict[str, Region] = {
            r.code: r
            for r in Region.objects.filter(code__startswith=prefix).only(
                "id", "code", "name", "level", "parent_id", "path"
            )
        }
        id_of = {code: r.pk for code, r in existing.items()}
        for level in LEVELS:
            counts = result.levels[level]
            to_create: list[Region] = []
            to_update: list[Region] = []
            for row in rows:
                if row.level != level:
                    continue
                parent_id = id_of[row.parent_code] if row.parent_code else None
                current = existing.get(row.code)
                if current is None:
                    to_create.append(
                        Region(
                            code=row.code,
                            name=row.name,
                            level=row.level,
                            parent_id=parent_id,
                            path=row.path,
                        )
                    )
                elif (current.name, current.level, current.parent_id, current.path) != (
                    row.name,
                    row.level,
                    parent_id,
                    row.path,
                ):
                    current.name, current.level = row.name, row.level
                    current.parent_id, current.path = parent_id, row.path
                    current.updated_at = now
                    to_update.append(current)
                else:
                    counts.unchanged += 1
            Region.objects.bulk_create(to_create, batch_size=batch_size)
            for region in to_create:
                id_of[region.code] = region.pk
            Region.objects.bulk_update(
                to_update, ["name", "level", "parent", "path", "updated_at"], batch_size=500
            )
            counts.created += len(to_create)
            counts.updated += len(to_update)
    return result


def level_counts(rows: Iterable[RegionRow]) -> Counter[str]:
    return Counter(r.level for r in rows)
