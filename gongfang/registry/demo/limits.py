"""Per-person office limits the generator sizes rooms by.

Taken from the data the standards are seeded from (national 表1 and 服务用房 allowances in
``standards/data/national_2014.py``, the demo's 山东 乡级 rows in ``standards/demo.py``), so the
demo and the rules engine judge by the same figures. The generator only needs them to make
compliant rooms (and organization totals, R6) really compliant and planted ones really over.
"""

from __future__ import annotations

from ...standards.data.national_2014 import GRADES, SERVICE_ALLOWANCES, TABLE_1
from ...standards.demo import TOWNSHIP_ROWS
from ..choices import AdminLevel, Grade


def _rows() -> dict[str, dict[str, int]]:
    rows = {
        level: {g: area for g, area in zip(GRADES, figures, strict=True) if area is not None}
        for level, figures in TABLE_1.items()
    }
    rows[AdminLevel.TOWNSHIP] = {grade: int(area) for grade, area, _ in TOWNSHIP_ROWS}
    return rows


OFFICE_LIMITS: dict[str, dict[str, int]] = _rows()
STAFF_LIMIT = OFFICE_LIMITS[AdminLevel.COUNTY][Grade.STAFF]
SERVICE_ALLOWANCE: dict[str, int] = SERVICE_ALLOWANCES


def office_limit(standard_level: str, grade: str) -> int:
    """Usable m² one person of ``grade`` may have under the ``standard_level`` row."""
    try:
        return OFFICE_LIMITS[standard_level][grade]
    except KeyError:
        raise ValueError(f"面积标准表中没有“{standard_level}/{grade}”一格。") from None


def approved_area(standard_level: str, staffing: int, leadership: list[tuple[str, int]]) -> int:
    """A + B of DESIGN §4.3 for existing space, in m², as the R6 rule computes it: the leader
    posts at their limits, the rest of the 编制 at the staff limit, plus the service allowance.
    (test_demo checks this against ``compliance.rules.approved_total`` so the two can't drift.)"""
    row = OFFICE_LIMITS[standard_level]
    leaders = sum(count for _, count in leadership)
    a = sum(row.get(grade, 0) * count for grade, count in leadership)
    a += row[Grade.STAFF] * max(staffing - leaders, 0)
    return a + SERVICE_ALLOWANCE[standard_level] * staffing
