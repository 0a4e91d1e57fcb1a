"""湖北省's 乡级 row (DESIGN §4.1 example), seeded by migration 0002 when 湖北省 (420000) exists.

Source: 《湖北省乡级机关办公用房建设标准》, issued jointly by 湖北省发展改革委 and 湖北省住房城乡建设厅
(reported by 《湖北日报》 on 2015-05-15 as issued on the 11th; its 文号 is still to be checked, so the
source says so). 正职 24, 副职 18 and 以下 9 m² per person; the standard also puts 乡级 service
rooms at 6–8 m² per head, which this version leaves to the national default.

The document names posts (正职, 副职, 以下), the system grades; for a 乡级 organization they map
正职 → 乡科级正职, 副职 → 乡科级副职, 以下 → 科员及以下, and each row's clause says so.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

REGION_CODE = "420000"
NAME = "湖北省乡级机关办公用房建设标准"
SOURCE = (
    "《湖北省乡级机关办公用房建设标准》（湖北省发展改革委、湖北省住房城乡建设厅 2015 年 5 月印发，"
    "文号待核；据《湖北日报》2015 年 5 月 15 日报道）"
)
EFFECTIVE_FROM = datetime.date(2015, 5, 11)
NOTES = (
    "湖北省规定的乡级机关工作人员办公室使用面积：正职 24 平方米、副职 18 平方米、以下 9 平方米，"
    "均未超过国家标准县级副职的 24 平方米。只适用于湖北省行政区域内的乡级机关。"
)

_MAPPING = "（乡级机关{post}按本系统职级“{grade_name}”执行）"

# (standard_level, grade, area, clause)
OFFICE_LIMITS: tuple[tuple[str, str, Decimal, str], ...] = tuple(
    (
        "township",
        grade,
        Decimal(area),
        f"《湖北省乡级机关办公用房建设标准》：乡级机关工作人员{post}办公室使用面积不超过每人 {area} 平方米"
        + _MAPPING.format(post=post, grade_name=grade_name),
    )
    for grade, area, post, grade_name in (
        ("section", 24, "正职", "乡科级正职"),
        ("vice_section", 18, "副职", "乡科级副职"),
        ("staff", 9, "以下", "科员及以下"),
    )
)
