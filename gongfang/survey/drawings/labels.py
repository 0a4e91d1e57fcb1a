"""Room labels in drawings: a room number, a name and an area text such as "25.3㎡" or "34.88m"+"2".

Texts come as TEXT/MTEXT plain text (formatting codes already removed). NFKC folds full-width
digits and letters and turns "㎡"/"m²" into "m2", so one set of patterns covers the usual writings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

AREA_UNIT = r"(?:m2|平方米|平米|m)"
AREA_PREFIX = r"(?:(?:使用|建筑)?面积\s*[:=：]?|(?:area|s|a)\s*[:=：])\s*"
_AREA = re.compile(
    rf"^(?:{AREA_PREFIX})?(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>{AREA_UNIT})?$", re.IGNORECASE
)
_NUMBER = re.compile(
    r"^(?:房间?号?\s*[:：]?\s*)?(?P<number>[A-Za-z]{0,2}\d{0,3}[-#]?\d{1,5}[A-Za-z]?)(?:室|号|房)?$"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_SPLIT = re.compile(r"[\s,;，；、]+")
MAX_LABEL_CHARS = 200
NUMBER_SUFFIXES = {"室", "号", "房", "房间"}


def normalise(text: str) -> str:
    """NFKC, unified dashes, and no control characters; long texts are cut (they are never labels)."""
    text = unicodedata.normalize("NFKC", text[:MAX_LABEL_CHARS])
    text = re.sub(r"[‐‑‒–—―－]", "-", text)
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()


@dataclass(frozen=True)
class Label:
    """What one text says about a room."""

    number: str = ""
    name: str = ""
    area: float | None = None
    open_area: bool = False  # written "34.88m": the "2" of m² is a separate small text
    superscript: bool = False  # the text is only that "2"


def parse_area(token: str) -> tuple[float, bool] | None:
    """An area in m² and whether its "2" is missing ("34.88m"); None when the token is no area.

    A bare number counts only with one or two decimals ("25.30"): bare integers are room numbers
    and elevation marks are written with three ("3.600").
    """
    match = _AREA.match(token)
    if not match:
        return None
    unit = (match.group("unit") or "").lower()
    value = match.group("value")
    prefixed = match.group(0)[: match.start("value")].strip() != ""
    if not unit and not prefixed and not re.fullmatch(r"\d+\.\d{1,2}", value):
        return None  # bare integers are room numbers, "3.600" (three decimals) an elevation
    area = float(value)
    if not 0 < area < 1e6:
        return None
    return area, unit == "m"


def parse_label(text: str) -> Label:
    """Split one text (possibly several lines: "101\\n办公室\\n25.3㎡") into number, name and area."""
    text = normalise(text)
    if text == "2":
        return Label(superscript=True)
    # "3-05会议室" and "会议室305": a number written against a name is split from it.
    text = re.sub(
        r"(?<=[0-9A-Za-z])(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])(?=[0-9A-Za-z])", " ", text
    )
    # "面积: 25.3 m2" keeps its prefix and unit together before splitting on spaces.
    text = re.sub(
        rf"(?<![A-Za-z])({AREA_PREFIX})(?=\d)",
        lambda m: re.sub(r"\s", "", m.group(1)),
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(rf"(\d)\s+({AREA_UNIT})(?![A-Za-z])", r"\1\2", text, flags=re.IGNORECASE)
    number, names, area, open_area = "", [], None, False
    for token in _SPLIT.split(text):
        if not token:
            continue
        parsed = parse_area(token)
        if parsed is not None and area is None:
            area, open_area = parsed
            continue
        match = _NUMBER.match(token)
        if match and not number:
            number = match.group("number").upper()
            continue
        if _CJK.search(token) and token not in NUMBER_SUFFIXES:
            names.append(token)
    return Label(number=number, name="".join(names), area=area, open_area=open_area)


@dataclass
class RoomLabels:
    """The labels found inside one room, combined."""

    number: str = ""
    name: str = ""
    area: float | None = None
    numbers: tuple[str, ...] = ()

    @classmethod
    def combine(cls, labels: list[Label]) -> RoomLabels:
        numbers = tuple(dict.fromkeys(label.number for label in labels if label.number))
        names = [label.name for label in labels if label.name]
        areas = [label for label in labels if label.area is not None]
        return cls(
            number=numbers[0] if numbers else "",
            name=names[0] if names else "",
            area=areas[0].area if areas else None,
            numbers=numbers,
        )
