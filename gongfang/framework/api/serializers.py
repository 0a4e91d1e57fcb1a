"""The serializer every model's API uses: type parsing only, the service does the rest.

Field conventions (page JavaScript and tests rely on them):

- ``id``, ``url`` (absolute API detail URL), ``display`` (``str(obj)``) on every object;
- every editable model field under its own name; foreign keys as the related object's primary
  key, writable, and restricted to what the requesting account may view: an id outside the
  scope fails like an unknown id, with "所选…不存在或超出您的管辖范围。";
- ``<fk>_display``: the related object as ``{id, url, display}`` (``null`` when empty), read-only;
- ``<choice>_display``: the Chinese label of a choice field (e.g. ``category_display``), read-only;
- non-editable fields (``path``, ``created_at``, ``updated_at``) read-only;
- ``notices``: the service's reminders after a create or update (e.g. rooms that add up to more
  than their building); an empty list otherwise.

Read-only fields in a write (issue 10): a client may PUT back what it GOT, so a read-only field
sent with the value the object has now is ignored (``notices``, about the last answer, always);
sent with another value (or, on a create, with any value but an empty one) the write is refused
with 400 and a Chinese message naming the field — never silently ignored.
:class:`ReadOnlyInputMixin` holds the rule for every serializer that takes writes (the API
description states it for integrators).

Validation: the serializer parses types (numbers, dates, choices, primary keys, required) and
nothing more. Model validators, lengths, ranges and uniqueness are left to the service's
``full_clean()`` so every rule has one Chinese message and one implementation; the serializer
never saves (the viewset calls the service).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from .. import naturalkeys
from ..links import pk_url

# Validators that only say "this is not text" — parsing, so they stay on the serializer.
PARSING_VALIDATORS = (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)
# Model fields that close the output, after the model's own fields.
TRAILING_FIELDS = ("version", "created_at", "updated_at")


def api_detail_url(obj: models.Model, request=None) -> str:
    """``api:<app_label>:<model_name>-detail`` of ``obj``, absolute when a request is at hand."""
    meta = obj._meta
    url = pk_url(f"api:{meta.app_label}:{meta.model_name}-detail", obj.pk)
    if request is None:
        return url
    # The origin worked out (and the host checked) once per request, not once per link.
    origin = getattr(request, "_gf_origin", None)
    if origin is None:
        origin = request._gf_origin = request.build_absolute_uri("/").removesuffix("/")
    return origin + url


@extend_schema_field(OpenApiTypes.URI)
class DetailURLField(serializers.Field):
    """The object's own API URL."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        kwargs.setdefault("source", "*")
        kwargs.setdefault("label", "接口地址")
        super().__init__(**kwargs)

    def to_representation(self, value: models.Model) -> str:
        return api_detail_url(value, self.context.get("request"))


class BriefSerializer(serializers.Serializer):
    """关联对象的简要信息：编号、接口地址、名称。"""

    id = serializers.IntegerField(read_only=True, label="编号")
    url = DetailURLField()
    display = serializers.CharField(source="__str__", read_only=True, label="名称")


# The largest id a BigAutoField holds: a larger number is refused as input (400), never handed to
# the database (SQLite raises OverflowError, a 500).
MAX_ID = 2**63 - 1


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """An object's id given as a plain number (lists of ids in an action's body)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key by id, accepting only objects the requesting account may view."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        name = self.label or "对象"
        self.error_messages["does_not_exist"] = f"所选{name}不存在或超出您的管辖范围。"
        self.error_messages["incorrect_type"] = (
            f"{name}应填写编号（整数）、代码或自然键，收到的是 {{data_type}}。"
        )

    def to_internal_value(self, data: Any) -> models.Model:
        # The object's current reference is kept even when it lies outside the scope (a county's
        # parent city), as the service does: only a newly chosen object must be visible.
        instance = getattr(self.parent, "instance", None)
        model_field = _model_field(type(instance), self.source) if instance is not None else None
        if isinstance(instance, models.Model) and model_field is not None:
            current = getattr(instance, model_field.attname, None)
            if current is not None and not isinstance(data, bool) and str(data) == str(current):
                return getattr(instance, self.source)
        # A code or a natural-key object (gongfang.framework.naturalkeys) instead of the id.
        request = self.context.get("request")
        try:
            found = naturalkeys.resolve(
                self.get_queryset().model, data, user=getattr(request, "user", None)
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return found if found is not None else super().to_internal_value(data)

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        if not hasattr(queryset, "restrict"):
            return queryset
        request = self.context.get("request")
        return queryset.restrict(getattr(request, "user", None), "view")


# What a field's value must be on a create for it to count as "not sent".
EMPTY_VALUES = (None, "", [], {})
# Read-only fields whose value is about the last answer, not the object: ignored on input.
IGNORED_ON_INPUT = frozenset({"notices"})
# Said after the refusal of a changed read-only field where the client has a way to do it.
READ_ONLY_HINTS = {"version": "防止覆盖他人的修改请使用 If-Match 请求头。"}


def _comparable(value: Any) -> Any:
    """A value as JSON carries it, so that a representation and a parsed body compare."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _same_value(sent: Any, current: Any) -> bool:
    if sent == current:
        return True
    # Form-encoded bodies carry every scalar as text.
    scalar = not isinstance(current, list | dict)
    return scalar and isinstance(sent, str) and sent == ("" if current is None else str(current))


class ReadOnlyInputMixin:
    """Refuse read-only fields sent with a value other than the object's current one (400,
    naming the field); the same value is ignored, so a GET body can be sent back as it is."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = self.read_only_errors(data)
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def read_only_errors(self, data: Mapping) -> dict[str, list[str]]:
        instance = getattr(self, "instance", None)
        if isinstance(instance, list | tuple):  # a list serializer's child: no one object
            instance = None
        errors: dict[str, list[str]] = {}
        for name, field in self.fields.items():
            if not field.read_only or name not in data or name in IGNORED_ON_INPUT:
                continue
            sent = data.get(name) if hasattr(data, "getlist") else data[name]
            if instance is None:
                if sent in EMPTY_VALUES:
                    continue
                reason = "新建时不能填写"
            else:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    attribute = None
                current = None if attribute is None else field.to_representation(attribute)
                if _same_value(sent, _comparable(current)):
                    continue
                reason = "不能修改（原样提交当前值时忽略）"
            label = field.label or name
            hint = READ_ONLY_HINTS.get(name, "")
            errors[name] = [f"“{label}”（{name}）是只读字段，{reason}。{hint}".rstrip()]
        return errors


class JSONValueField(serializers.JSONField):
    """JSON that a form post sends as text: DRF checks for null before parsing, so "null" as
    text would reach a column that cannot hold NULL (a 500); it is refused like a null."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value is None and not self.allow_null:
            self.fail("null")
        return value


class ObjectSerializer(ReadOnlyInputMixin, serializers.ModelSerializer):
    """对象：id、url（接口地址）、display（名称）；外键以编号读写，另附 <外键>_display
    （关联对象简要）；选项字段另附 <字段>_display（中文名称）。"""

    serializer_related_field = ScopedPrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.JSONField: JSONValueField,
    }

    url = DetailURLField()
    display = serializers.CharField(source="__str__", read_only=True, label="名称")
    notices = serializers.SerializerMethodField(
        label="提示", help_text="新建、修改后系统给出的提醒（如房间面积合计超过楼座）；其余为空"
    )

    # Model fields left out of the API (none by default).
    exclude_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        fields = "__all__"
        # No unique-together / UniqueConstraint validators: uniqueness is checked by the
        # service's full_clean(), with the model's Chinese message.
        validators = []

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        model = self.Meta.model
        head = {name: fields.pop(name) for name in ("id", "url", "display")}
        tail = {name: fields.pop(name) for name in (*TRAILING_FIELDS, "notices") if name in fields}
        # Model order (ModelSerializer puts foreign keys last), then anything declared.
        order = {f.name: i for i, f in enumerate(model._meta.concrete_fields)}
        body: dict[str, serializers.Field] = {}
        for name in sorted(fields, key=lambda n: order.get(n, len(order))):
            field = fields[name]
            if name in self.exclude_fields:
                continue
            if not field.read_only:
                field.validators = [
                    v for v in field.validators if isinstance(v, PARSING_VALIDATORS)
                ]
            body[name] = field
            model_field = _model_field(model, name)
            if (
                field.read_only
                and isinstance(field, serializers.ChoiceField)
                and model_field is not None
                and model_field.blank
            ):
                # An unset choice reads "" — the schema's enum must say so.
                field.allow_blank = True
            if model_field is None or f"{name}_display" in fields:
                continue
            if model_field.is_relation and model_field.many_to_one:
                body[f"{name}_display"] = BriefSerializer(
                    source=name,
                    read_only=True,
                    allow_null=model_field.null,
                    label=f"{model_field.verbose_name}（简要）",
                )
            elif model_field.choices:
                body[f"{name}_display"] = serializers.CharField(
                    source=f"get_{name}_display",
                    read_only=True,
                    label=f"{model_field.verbose_name}（名称）",
                )
        return {**head, **body, **tail}

    def get_notices(self, obj: models.Model) -> list[str]:
        return list(getattr(obj, "_api_notices", ()))


def _model_field(model: type[models.Model], name: str) -> models.Field | None:
    """The concrete model field ``name``, or None (declared fields, many-to-many, reverse)."""
    if not hasattr(model, "_meta"):
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None
