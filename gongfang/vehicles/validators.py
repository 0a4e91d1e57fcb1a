"""Plate numbers (GA 36-2018) and VINs (GB 16735 / ISO 3779) with Chinese reasons.

``plate_errors`` / ``vin_errors`` return the reasons a value is refused (empty when valid), so
forms, imports and the API name the exact fault; ``validate_plate`` / ``validate_vin`` raise them.
Values are compared in their normal form (``normalize_plate``/``normalize_vin``): upper case,
without the middle dot or spaces people type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# The one-character abbreviations of the 31 mainland provinces, regions and municipalities.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Letters of a plate's serial and issuing office: the Latin alphabet without I and O (read as
# 1 and 0).
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
SERIAL = f"[{PLATE_LETTERS}0-9]"
SEPARATORS = re.compile(r"[\s·•.\-－]")

ORDINARY = re.compile(rf"[{PROVINCES}][{PLATE_LETTERS}]({SERIAL}{{5}})")
# New-energy plates (8 characters): small cars D/F first, large vehicles D/F last.
NEW_ENERGY_SMALL = re.compile(
    rf"[{PROVINCES}][{PLATE_LETTERS}]([DF])([{PLATE_LETTERS}0-9])[0-9]{{4}}"
)
NEW_ENERGY_LARGE = re.compile(rf"[{PROVINCES}][{PLATE_LETTERS}][0-9]{{5}}([DF])")
POLICE = re.compile(rf"[{PROVINCES}][{PLATE_LETTERS}]{SERIAL}{{4}}警")
MILITARY = re.compile(r"^(WJ|武警)|^[A-Z]{2}[0-9]{5}$|军")
NOT_OURS: tuple[tuple[str, str], ...] = (
    ("使", "使馆车辆号牌（“使”字）不属于党政机关公务用车"),
    ("领", "领馆车辆号牌（“领”字）不属于党政机关公务用车"),
    ("学", "教练车号牌（“学”字）不属于党政机关公务用车"),
    ("挂", "挂车号牌（“挂”字）不是机动车，不登记为公务用车"),
    ("港", "港澳入出境车辆号牌（“港”字）请登记其内地号牌"),
    ("澳", "港澳入出境车辆号牌（“澳”字）请登记其内地号牌"),
    ("试", "试验车号牌（“试”字）不属于公务用车"),
    ("超", "超限车号牌（“超”字）不属于公务用车"),
)
MAX_SERIAL_LETTERS = 3


@dataclass(frozen=True)
class PlateInfo:
    """What a valid plate says: its kind and, for new-energy plates, D (pure electric) or F."""

    kind: str  # "ordinary" | "new_energy" | "police"
    new_energy_letter: str = ""


def normalize_plate(value: str) -> str:
    return SEPARATORS.sub("", value or "").upper()


def parse_plate(value: str) -> tuple[PlateInfo | None, list[str]]:
    """The plate's kind, or the reasons it is not a plate of an official vehicle."""
    plate = normalize_plate(value)
    if not plate:
        return None, ["号牌号码不能为空。"]
    if MILITARY.search(plate):
        return None, ["军队和武警车辆号牌由军队、武警部队自行管理，不在本系统登记（请核对号牌）。"]
    for character, reason in NOT_OURS:
        if character in plate:
            return None, [reason + "。"]
    if plate[0] not in PROVINCES:
        return None, [f"号牌第 1 位应为省、自治区、直辖市简称（如 京、桂），填写的是“{plate[0]}”。"]
    if len(plate) < 2 or plate[1] not in PLATE_LETTERS:
        second = plate[1] if len(plate) > 1 else "（空）"
        return None, [f"号牌第 2 位应为发牌机关代号（英文字母，不含 I、O），填写的是“{second}”。"]
    bad = sorted({c for c in plate[2:] if c not in PLATE_LETTERS + "0123456789警"})
    if bad:
        return None, [
            f"号牌序号含有不允许的字符：{'、'.join(bad)}（只能是数字和除 I、O 以外的字母）。"
        ]
    if POLICE.fullmatch(plate):
        return PlateInfo("police"), []
    if len(plate) == 8:
        if match := NEW_ENERGY_SMALL.fullmatch(plate):
            return PlateInfo("new_energy", match.group(1)), []
        if match := NEW_ENERGY_LARGE.fullmatch(plate):
            return PlateInfo("new_energy", match.group(1)), []
        return None, [
            "8 位号牌为新能源汽车号牌：小型车第 3 位为 D（纯电动）或 F（非纯电动），"
            "第 4 位为字母或数字，后 4 位为数字；大型车前 5 位序号为数字，最后一位为 D 或 F。"
        ]
    if len(plate) == 7 and (match := ORDINARY.fullmatch(plate)):
        letters = sum(1 for c in match.group(1) if c.isalpha())
        if letters > MAX_SERIAL_LETTERS:
            return None, [f"号牌序号最多含 {MAX_SERIAL_LETTERS} 个字母，填写的含 {letters} 个。"]
        return PlateInfo("ordinary"), []
    return None, [
        f"号牌“{plate}”长度为 {len(plate)} 位：普通号牌为 7 位（如 桂A12345），"
        "新能源号牌为 8 位（如 桂AD12345）。"
    ]


def plate_errors(value: str) -> list[str]:
    return parse_plate(value)[1]


def validate_plate(value: str) -> None:
    errors = plate_errors(value)
    if errors:
        raise ValidationError(f"号牌号码“{value}”无效：" + "".join(errors), code="plate")


# VIN (GB 16735-2019, ISO 3779): 17 characters without I, O and Q; position 9 is the check digit.
VIN_CHARACTERS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# Position 10 codes the model year: never I, O, Q, U, Z or 0.
VIN_YEAR_EXCLUDED = "IOQUZ0"


def normalize_vin(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def vin_check_digit(vin: str) -> str:
    """The check digit (position 9) of a 17-character VIN: Σ value × weight mod 11, 10 → X."""
    total = sum(VIN_VALUES[c] * w for c, w in zip(vin, VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_errors(value: str) -> list[str]:
    vin = normalize_vin(value)
    if len(vin) != 17:
        return [f"车辆识别代号应为 17 位，填写的是 {len(vin)} 位。"]
    bad = sorted({c for c in vin if c not in VIN_CHARACTERS})
    if bad:
        return [f"车辆识别代号含有不允许的字符：{'、'.join(bad)}（不使用字母 I、O、Q）。"]
    errors = []
    if vin[9] in VIN_YEAR_EXCLUDED:
        errors.append(f"第 10 位为车型年份代码，不能是“{vin[9]}”。")
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        errors.append(f"第 9 位校验位应为“{expected}”，填写的是“{vin[8]}”（请核对代号）。")
    return errors


def validate_vin(value: str) -> None:
    errors = vin_errors(value)
    if errors:
        raise ValidationError(f"车辆识别代号“{value}”无效：" + "".join(errors), code="vin")
