"""The registry's natural keys (see ``gongfang.framework.naturalkeys``): what names each object
for a system that does not know our ids — the same keys the ledger's sheets use."""

from __future__ import annotations

import re

from ..framework.naturalkeys import NaturalKey, register
from . import models as m

# Region codes (DESIGN §5): 6 digits, townships 9 or 12. Ids stay below 100,000 (the whole
# national list is 44,700 rows), so a value of these lengths is read as a code.
REGION_CODE = re.compile(r"\d{6}|\d{9}|\d{12}")
USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")


def _region_code(value: str) -> dict[str, str] | None:
    return {"code": value} if REGION_CODE.fullmatch(value) else None


def _uscc(value: str) -> dict[str, str] | None:
    value = value.upper()
    return {"uscc": value} if USCC.fullmatch(value) else None


def register_all() -> None:
    register(m.Region, NaturalKey(("code",), _region_code, "区划代码（6、9 或 12 位数字）"))
    register(m.Organization, NaturalKey(("uscc",), _uscc, "统一社会信用代码（18 位）"))
    register(m.Compound, NaturalKey(("region", "name"), described="{region, name}"))
    register(m.Building, NaturalKey(("compound", "name"), described="{compound, name}"))
    register(m.Floor, NaturalKey(("building", "number"), described="{building, number}"))
    register(m.Room, NaturalKey(("floor", "number"), described="{floor, number}"))
    register(m.Person, NaturalKey(("organization", "number"), described="{organization, number}"))
    register(
        m.LeadershipQuota,
        NaturalKey(("organization", "grade"), described="{organization, grade}"),
    )
    register(m.ParkingLot, NaturalKey(("compound", "name"), described="{compound, name}"))
    register(m.Canteen, NaturalKey(("compound", "name"), described="{compound, name}"))
