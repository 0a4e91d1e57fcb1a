"""Per-person office limits the generator sizes rooms by (DESIGN §4.1, 发改投资〔2014〕2674号 表1).

The rules engine reads the versioned standards table, not this; the generator only needs the
figures to make compliant rooms really compliant and planted ones really over. The 乡级 row is set
by each province (at most the 县级副职 figure): the demo sizes township rooms within the county
row's 乡科级 figures (18 / 12 / 9), which no province's township row falls below, and plants no
over-standard case at township level.
"""

from __future__ import annotations

from ..choices import AdminLevel, Grade

G = Grade

OFFICE_LIMITS: dict[str, dict[str, int]] = {
    AdminLevel.CENTRAL: {
        G.MINISTER: 54, G.VICE_MINISTER: 42, G.BUREAU: 24, G.VICE_BUREAU: 18,
        G.DIVISION: 12, G.VICE_DIVISION: 12, G.SECTION: 9, G.VICE_SECTION: 9, G.STAFF: 9,
    },
    AdminLevel.PROVINCE: {
        G.MINISTER: 54, G.VICE_MINISTER: 42, G.BUREAU: 30, G.VICE_BUREAU: 24,
        G.DIVISION: 18, G.VICE_DIVISION: 12, G.SECTION: 9, G.VICE_SECTION: 9, G.STAFF: 9,
    },
    AdminLevel.CITY: {
        G.BUREAU: 42, G.VICE_BUREAU: 30, G.DIVISION: 24, G.VICE_DIVISION: 18,
        G.SECTION: 9, G.VICE_SECTION: 9, G.STAFF: 9,
    },
    AdminLevel.COUNTY: {
        G.DIVISION: 30, G.VICE_DIVISION: 24, G.SECTION: 18, G.VICE_SECTION: 12, G.STAFF: 9,
    },
    AdminLevel.TOWNSHIP: {G.SECTION: 18, G.VICE_SECTION: 12, G.STAFF: 9},
}  # fmt: skip

STAFF_LIMIT = 9


def office_limit(standard_level: str, grade: str) -> int:
    """Usable m² one person of ``grade`` may have under the ``standard_level`` row."""
    try:
        return OFFICE_LIMITS[standard_level][grade]
    except KeyError:
        raise ValueError(f"面积标准表中没有“{standard_level}/{grade}”一格。") from None
