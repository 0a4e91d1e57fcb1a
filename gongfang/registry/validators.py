"""Field validators with Chinese messages naming what is wrong."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError

from ..framework import clock
from .uscc import uscc_errors


def validate_uscc(value: str) -> None:
    errors = uscc_errors(value)
    if errors:
        raise ValidationError(f"统一社会信用代码“{value}”无效：" + "".join(errors), code="uscc")


def validate_positive_area(value: Decimal | None) -> None:
    if value is not None and value <= 0:
        raise ValidationError(f"面积必须大于 0 平方米（填写的是 {value}）。", code="area")


def validate_not_future(value: datetime.date | None) -> None:
    if value is not None and value > clock.today():
        raise ValidationError(
            f"日期 {value:%Y-%m-%d} 晚于今天；记录事实的日期不能是将来。", code="future"
        )


def validate_year_built(value: int | None) -> None:
    if value is None:
        return
    this_year = clock.today().year
    if not 1800 <= value <= this_year:
        raise ValidationError(f"建成年份应在 1800 年至 {this_year} 年之间（填写的是 {value}）。")


PHONE_CHARACTERS = set("0123456789+-() 转")


def validate_phone(value: str) -> None:
    """Digits and the usual separators only; a masked number (138****1234) copied back from a
    list or API list is refused rather than stored over the real one."""
    if "*" in value:
        raise ValidationError(
            "联系电话含“*”：列表和导出中的号码已脱敏，请填写完整号码。", code="masked"
        )
    bad = sorted({c for c in value if c not in PHONE_CHARACTERS})
    if bad:
        raise ValidationError(
            f"联系电话含有不允许的字符：{'、'.join(bad)}（只能填写数字、空格、+、-、括号和“转”）。",
            code="phone",
        )


# DESIGN §5: GB/T 2260 codes have 6 digits; a township takes the 9-digit statistical code (or the
# 12-digit one of 统计用区划代码, with the village part).
REGION_CODE_LENGTHS = {"township": (9, 12)}
REGION_CODE_DEFAULT_LENGTHS = (6,)
REGION_CODE = re.compile(r"[0-9]{6}([0-9]{3}([0-9]{3})?)?")


def validate_region_code(value: str) -> None:
    """Digits only, 6, 9 or 12 of them; which length a level takes is checked by the model."""
    if not REGION_CODE.fullmatch(value or ""):
        raise ValidationError(
            f"区划代码“{value}”无效：应为 6 位数字（GB/T 2260），乡级为 9 位或 12 位数字。",
            code="region_code",
        )


def region_code_lengths(level: str) -> tuple[int, ...]:
    return REGION_CODE_LENGTHS.get(level, REGION_CODE_DEFAULT_LENGTHS)
