"""The message of a uniqueness violation, in Chinese that names the values.

Django's own reads "具有 统一社会信用代码 的 单位 已存在。" (its English sentence translated word
for word, spaces included); this one reads "统一社会信用代码为“…”的单位已存在。", and for several
fields together "楼层为“…”、房间号为“…”的房间已存在。" Models use it as their
``unique_error_message`` (unique fields, ``unique_together`` and field-only ``UniqueConstraint``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


def _shown(instance: models.Model, field: models.Field) -> str:
    if field.is_relation:
        related = getattr(instance, field.name, None)
        return "" if related is None else str(related)
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    value = getattr(instance, field.attname)
    return "" if value is None else str(value)


def unique_error_message(
    self: models.Model, model_class: type[models.Model], unique_check
) -> ValidationError:
    """A ``ValidationError`` naming the model and each field with its value."""
    opts = model_class._meta
    fields = [opts.get_field(name) for name in unique_check]
    named = "、".join(f"{field.verbose_name}为“{_shown(self, field)}”" for field in fields)
    return ValidationError(
        f"{named}的{opts.verbose_name}已存在。",
        code="unique" if len(fields) == 1 else "unique_together",
        params={"model_name": opts.verbose_name, "field_labels": [f.verbose_name for f in fields]},
    )
