"""Demo standards: a 乡级 row for 山东省, so the demo city's townships have a standard.

山东省's real 乡级 figures are not in this repository; the version says in its name and source
that it is demo data. Written like seed data (no account yet exists when the demo runs), but each
object created is recorded in the change log as written by the system.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from ..framework.changelog import record_change
from ..framework.models import ObjectChange
from ..registry.models import Region
from .models import OfficeLimit, StandardVersion, VersionKind
from .seed import ensure_hubei_2015, ensure_national_2014

SHANDONG = "370000"
NAME = "山东省乡级机关办公用房标准（演示数据）"
SOURCE = "演示数据，非正式文件：仅供系统演示，正式使用前须替换为山东省实际规定"
EFFECTIVE_FROM = datetime.date(2016, 1, 1)
TOWNSHIP_ROWS = (
    ("section", Decimal("18"), "正职"),
    ("vice_section", Decimal("12"), "副职"),
    ("staff", Decimal("9"), "以下"),
)


@transaction.atomic
def ensure_demo_versions() -> list[StandardVersion]:
    """The seeded versions (national; 湖北省 if its region is loaded) and 山东省's demo version;
    returns the versions created (none when they all exist)."""
    created = [v for v in (ensure_national_2014(), ensure_hubei_2015()) if v is not None]
    region = Region.objects.filter(code=SHANDONG).first()
    if region is None or StandardVersion.objects.filter(region=region, name=NAME).exists():
        return created
    version = StandardVersion(
        name=NAME,
        kind=VersionKind.LOCAL,
        region=region,
        source=SOURCE,
        effective_from=EFFECTIVE_FROM,
        notes="演示数据：山东省乡级机关正职 18、副职 12、以下 9 平方米/人，均未超过国家标准县级副职的 "
        "24 平方米。",
    )
    version.full_clean()
    version.save()
    objects: list = [version]
    for grade, area, post in TOWNSHIP_ROWS:
        limit = OfficeLimit(
            version=version,
            standard_level="township",
            grade=grade,
            area=area,
            clause=f"演示数据：乡级机关{post}每人使用面积不超过 {area} 平方米。",
        )
        limit.full_clean()
        limit.save()
        objects.append(limit)
    for obj in objects:
        record_change(actor=None, instance=obj, action=ObjectChange.Action.CREATE, before=None)
    return [*created, version]
