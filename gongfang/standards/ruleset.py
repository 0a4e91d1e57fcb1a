"""The standards and rule parameters in force for one place on one day, as plain data.

A :class:`RuleSet` is what the compliance rules read: no ORM, no Django, so the rules stay pure
functions and every warning can store exactly what it was judged by (``as_record()``). It is
assembled by ``standards.selectors.ruleset_for(region_path, on)`` from the versioned tables: the
national version in force, overlaid by the local versions (a province's 乡级 rows, stricter local
figures) whose region contains the place — the most specific wins, cell by cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ..registry.plausibility import CEILING_KEYS

# Keys of ``RuleSet.params`` (DESIGN §4.3–4.4); their values and sources are versioned rows.
PARAM_KEYS = (
    "r1_tolerance_m2",  # R1: a room may exceed its occupants' limits by this much
    "r3_grace_days",  # R3: retired/transferred staff vacate within … days
    "r4_grace_days",  # R4: second office vacated within … days after the post ends
    "r5_idle_days",  # R5: office/service space idle longer than … days is taken back
    "r7_grace_days",  # R7: an abolished organization keeps rooms at most … days
    "r9_area_tolerance",  # R9: rooms vs building / surveyed area, as a fraction (0.03)
    "equipment_ratio",  # §4.3: 9% of A+B for 设备用房
    "k_multi",  # §4.3: usable-area coefficient of a 多层 building
    "k_high",  # §4.3: … of a 高层 building
    "toilet_max_m2",  # §4.1 note: a named leader's 卫生间 inside the limit, at most … m²
    *CEILING_KEYS,  # plausibility ceilings of areas the registry refuses above (typing errors)
)

# Keys of the clause texts a version carries besides its figures (``RuleSet.clauses``): the rules
# of DESIGN §4.4 by id, the notes of 表1 and the §4.3 formula. Their texts are versioned rows.
CLAUSE_KEYS = (
    "R1",
    "R2",
    "R3",
    "R4",
    "R5",
    "R6",
    "R7",
    "R8",
    "R9",
    "table1",  # 表1: office area per person, by level and grade
    "note_sub_provincial",  # 表1 注1: 副省级城市, 副部级 units (hence Organization.standard_level)
    "note_dispatched",  # 表1 注2: 派出机构 and 事业单位 take the row below
    "note_rest_room",  # 表1 注3: a leader's 休息室 lies inside the limit
    "note_toilet",  # 表1 注4: named leaders' 卫生间 ≤ toilet_max_m2 inside the limit
    "note_township",  # 乡级 row: set by each province, at most the 县级副职 figure
    "formula",  # §4.3: S = [A + B + (A+B)×9%] / K + C
)


# Keys of the figures in ``RuleSet.clauses`` and ``RuleSet.sources`` besides CLAUSE_KEYS and
# PARAM_KEYS, which stand for themselves.
def office_key(standard_level: str, grade: str) -> str:
    return f"office:{standard_level}:{grade}"


def service_key(standard_level: str) -> str:
    return f"service:{standard_level}"


def rank_key(rank_title: str) -> str:
    return f"rank:{rank_title}"


@dataclass(frozen=True)
class RuleSet:
    """Everything the rules need to judge one place: limits, equivalences and parameters."""

    # Which versions were combined, most general first: ((id, label, source), …).
    versions: tuple[tuple[int, str, str], ...]
    # (standard_level, grade) -> usable m² per person (DESIGN §4.1 表1); absent = no such post.
    office_limits: Mapping[tuple[str, str], Decimal]
    # 职级 title (e.g. "一级调研员") -> grade code, for persons whose grade field is not set.
    grade_equivalence: Mapping[str, str] = field(default_factory=dict)
    # standard_level -> 服务用房 allowance in m² per head (B of §4.3).
    service_allowance: Mapping[str, Decimal] = field(default_factory=dict)
    # Grades whose 卫生间 (≤ toilet_max_m2) may lie inside the office limit.
    toilet_grades: frozenset[str] = frozenset()
    params: Mapping[str, Decimal] = field(default_factory=dict)
    # Rule id ("R1" …) or table cell -> the clause a reader is shown. Keys: CLAUSE_KEYS, PARAM_KEYS,
    # office_key(level, grade), service_key(level), rank_key(title).
    clauses: Mapping[str, str] = field(default_factory=dict)
    # The same keys -> id of the version the figure or text comes from (a local one overrides).
    sources: Mapping[str, int] = field(default_factory=dict)
    # (standard_level, grade) cells whose 卫生间 may lie inside the limit (toilet_grades by cell).
    toilet_cells: frozenset[tuple[str, str]] = frozenset()
    # PARAM_KEYS -> the unit a reader is shown ("天", "m²", "比例").
    units: Mapping[str, str] = field(default_factory=dict)

    def office_limit(self, standard_level: str, grade: str) -> Decimal | None:
        """The usable area one person of ``grade`` may have in an organization of that row."""
        return self.office_limits.get((standard_level, grade))

    def grade_of(self, grade: str | None, rank_title: str = "") -> str | None:
        """The grade that applies: the person's grade, else the one their 职级 title maps to."""
        return grade or self.grade_equivalence.get(rank_title.strip()) or None

    def param(self, key: str) -> Decimal:
        return self.params[key]

    def toilet_allowed(self, standard_level: str, grade: str) -> bool:
        """Whether a 卫生间 (≤ toilet_max_m2) may lie inside this cell's limit (表1 注4)."""
        return (standard_level, grade) in self.toilet_cells

    def clause(self, key: str) -> str:
        return self.clauses.get(key, "")

    def source_of(self, key: str) -> tuple[int, str, str] | None:
        """The (id, label, source) of the version a figure or clause comes from."""
        version_id = self.sources.get(key)
        return next((v for v in self.versions if v[0] == version_id), None)

    @property
    def label(self) -> str:
        return " + ".join(label for _, label, _ in self.versions)

    def as_record(self) -> dict:
        """What a warning stores of the rules it was judged by (JSON-safe)."""
        return {
            "versions": [{"id": i, "label": lbl, "source": src} for i, lbl, src in self.versions],
            "params": {k: str(v) for k, v in sorted(self.params.items())},
        }
