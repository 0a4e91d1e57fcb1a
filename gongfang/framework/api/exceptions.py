"""Errors as API clients read them: field keys kept, messages in Chinese, 400 not 500.

Services raise Django's ``ValidationError`` and ``PermissionDenied``; :func:`as_api_error` turns
the former into DRF's ``ValidationError`` with the serializer's field names (keys the serializer
does not write go under ``non_field_errors``, prefixed with the field's name), and
:func:`exception_handler` catches any that escape a view.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def _field_label(model: type[models.Model] | None, name: str) -> str:
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def as_api_error(
    exc: DjangoValidationError,
    *,
    fields: Iterable[str] = (),
    model: type[models.Model] | None = None,
) -> exceptions.ValidationError:
    """DRF's ValidationError for a service's Django ValidationError.

    ``fields``: the names the client wrote (the serializer's writable fields); errors on any other
    key are moved to ``non_field_errors`` with the field's label in front, so nothing is lost.
    """
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    writable = set(fields)
    detail: dict[str, list[str]] = {}
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            if key in writable:
                detail.setdefault(key, []).extend(messages)
            elif key == NON_FIELD_ERRORS:
                detail.setdefault(non_field, []).extend(messages)
            else:
                label = _field_label(model, key)
                detail.setdefault(non_field, []).extend(f"{label}：{m}" for m in messages)
    else:
        detail[non_field] = list(exc.messages)
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    """DRF's handler, plus Django ``ValidationError`` (from a service) as a 400."""
    if isinstance(exc, DjangoValidationError):
        view = context.get("view")
        queryset = getattr(view, "queryset", None)
        exc = as_api_error(exc, model=queryset.model if queryset is not None else None)
    return drf_exception_handler(exc, context)
