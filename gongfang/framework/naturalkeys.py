"""References by natural key: what an integrating system knows of an object instead of our id.

A region is known by its code, an organization by its 统一社会信用代码, a person by organization +
number, a room by floor + number (a floor by building + number, a building by compound + name…).
Each app declares its models' keys (:func:`register`); the API's foreign-key fields and the
filters' foreign-key fields accept, besides the id:

- a **code** (one text value) where the model has one — ``"370481"``, ``"11370400MB28544160"``;
- an **object** naming the key's fields — ``{"organization": "1137…", "number": "A-001"}`` — whose
  references are again an id, a code or an object.

Every lookup goes through the requesting account's scope: an object it may not see is "not
found", as an unknown id is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from .text import is_number


@dataclass(frozen=True)
class NaturalKey:
    """``fields``: what names one object (a unique constraint of the model); ``code``: the
    lookup for a one-value form of the key, or None when the value is not such a code."""

    fields: tuple[str, ...]
    code: Callable[[str], dict[str, str] | None] | None = None
    # How the key is written, for the API description ("区划代码（6、9 或 12 位数字）").
    described: str = ""


NATURAL_KEYS: dict[type[models.Model], NaturalKey] = {}


def register(model: type[models.Model], key: NaturalKey) -> None:
    NATURAL_KEYS[model] = key


def natural_key_of(model: type[models.Model]) -> NaturalKey | None:
    return NATURAL_KEYS.get(model)


def code_lookup(model: type[models.Model], value: Any) -> dict[str, str] | None:
    """The lookup of ``value`` as the model's one-value code, or None."""
    key = NATURAL_KEYS.get(model)
    if key is None or key.code is None or isinstance(value, bool):
        return None
    if not isinstance(value, str | int):
        return None
    return key.code(str(value).strip())


def resolve(model: type[models.Model], value: Any, *, user) -> models.Model | None:
    """The object ``value`` names by natural key among those ``user`` may view; None when
    ``value`` is not written as a natural key of ``model`` (the caller treats it as an id).

    Raises ``ValidationError`` (Chinese, naming what is missing or unknown) when it is one but
    names nothing the account can see.
    """
    key = NATURAL_KEYS.get(model)
    if key is None:
        return None
    name = model._meta.verbose_name
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(key.fields))
        missing = [f for f in key.fields if f not in value]
        if unknown or missing:
            parts = "、".join(key.fields)
            raise ValidationError(f"按自然键指定{name}须且只须给出 {parts}。")
        lookup: dict[str, Any] = {}
        for field_name in key.fields:
            field = model._meta.get_field(field_name)
            part = value[field_name]
            if field.is_relation:
                lookup[field_name] = reference(field.related_model, part, user=user)
            else:
                lookup[field_name] = _typed(model, field, part)
        return _one(model, lookup, user=user)
    lookup = code_lookup(model, value)
    if lookup is None:
        return None
    return _one(model, lookup, user=user)


def reference(model: type[models.Model], value: Any, *, user) -> models.Model:
    """An object named by id, code or natural-key object, inside ``user``'s scope."""
    found = resolve(model, value, user=user)
    if found is not None:
        return found
    if isinstance(value, bool) or not isinstance(value, int | str) or not is_number(str(value)):
        raise ValidationError(f"{model._meta.verbose_name}应填写编号、代码或自然键。")
    return _one(model, {"pk": int(value)}, user=user)


def _typed(model: type[models.Model], field: models.Field, value: Any) -> Any:
    """``value`` as the field's type, within its range, or a Chinese refusal naming it."""
    if isinstance(value, dict | list):
        value = None
    try:
        typed = field.to_python(value)
        field.run_validators(typed)
    except ValidationError:
        raise ValidationError(
            f"{model._meta.verbose_name}的{field.verbose_name}“{str(value)[:40]}”不是有效的值。"
        ) from None
    if typed in (None, ""):
        raise ValidationError(f"按自然键指定{model._meta.verbose_name}须给出{field.verbose_name}。")
    return typed


def _one(model: type[models.Model], lookup: dict[str, Any], *, user) -> models.Model:
    queryset = model.objects.restrict(user, "view") if hasattr(model, "scope") else model.objects
    try:
        return queryset.get(**lookup)
    except (model.DoesNotExist, model.MultipleObjectsReturned, ValueError, TypeError):
        raise ValidationError(f"所选{model._meta.verbose_name}不存在或超出您的管辖范围。") from None
