"""Control characters (U+0001 …) in text: refused on the way in, dropped on the way out.

They cannot be seen on a page, break a spreadsheet file (an .xlsx cannot hold them: openpyxl
raises IllegalCharacterError) and are never part of a name or an address. Every text field of a
domain object is checked by ``PrimaryModel.clean_fields``, which pages, API and imports all reach
through the service's or the importer's ``full_clean``; every file the system writes drops what an
older version let in (``framework.spreadsheets``).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models

# The C0 controls except tab, line feed and carriage return (which text areas and spreadsheets
# hold), DEL and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control_characters(text: str) -> str:
    """``text`` without its control characters (for files written from stored data)."""
    return CONTROL_CHARACTERS.sub("", text)


def validate_no_control_characters(value: object, label: str) -> None:
    """Refuse a text with control characters, naming the field and the characters found."""
    if not isinstance(value, str):
        return
    found = sorted(set(CONTROL_CHARACTERS.findall(value)))
    if found:
        codes = "、".join(f"U+{ord(c):04X}" for c in found)
        raise ValidationError(
            f"{label}含有不可见的控制字符（{codes}），请删除后重新填写。",
            code="control_character",
        )


def control_character_errors(
    instance: models.Model, exclude: set[str] | None = None
) -> dict[str, list[ValidationError]]:
    """The text fields of ``instance`` that hold control characters, as ``full_clean`` errors."""
    errors: dict[str, list[ValidationError]] = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if exclude and field.name in exclude:
            continue
        try:
            validate_no_control_characters(getattr(instance, field.attname), field.verbose_name)
        except ValidationError as exc:
            errors[field.name] = [exc]
    return errors
