"""Per-person office limits the generator sizes rooms by (DESIGN §4.1, 发改投资〔2014〕2674号 表1).

The rules engine reads the versioned standards table, not this; the generator only needs the
figures to make compliant rooms (and organization totals, R6) really compliant and planted ones
really over. The 乡级 row is set
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
# 服务用房 allowance per head of 编制 (B of DESIGN §4.3), the seeded national defaults.
SERVICE_ALLOWANCE: dict[str, int] = {
    AdminLevel.CENTRAL: 8,
    AdminLevel.PROVINCE: 8,
    AdminLevel.CITY: 7,
    AdminLevel.COUNTY: 6,
    AdminLevel.TOWNSHIP: 6,
}


def office_limit(standard_level: str, grade: str) -> int:
    """Usable m² one person of ``grade`` may have under the ``standard_level`` row."""
    try:
        return OFFICE_LIMITS[standard_level][grade]
    except KeyError:
        raise ValueError(f"面积标准表中没有“{standard_level}/{grade}”一格。") from None


def approved_area(standard_level: str, staffing: int, leadership: list[tuple[str, int]]) -> int:
    """A + B of DESIGN §4.3 for existing space, in m², as the R6 rule computes it: the leader
    posts at their limits, the rest of the 编制 at the staff limit, plus the service allowance."""
    row = OFFICE_LIMITS[standard_level]
    leaders = sum(count for _, count in leadership)
    a = sum(row.get(grade, 0) * count for grade, count in leadership)
    a += row[Grade.STAFF] * max(staffing - leaders, 0)
    return a + SERVICE_ALLOWANCE[standard_level] * staffing
