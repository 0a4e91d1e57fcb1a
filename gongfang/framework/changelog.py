"""Writing the change log: a JSON snapshot of an object before and after each write."""

from __future__ import annotations

import datetime
import decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .context import current_context
from .models import ObjectChange


def _json_value(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return value


def serialize_object(instance: models.Model) -> dict:
    """Every concrete field by name (foreign keys by id), as JSON-safe values."""
    exclude = set(getattr(instance, "changelog_exclude", ()))
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, models.DecimalField) and value is not None:
            # As the database stores it: 16.5 and 16.50 are the same area.
            value = decimal.Decimal(value).quantize(
                decimal.Decimal(1).scaleb(-field.decimal_places)
            )
        data[field.name] = _json_value(value)
    return data


def record_change(
    *, actor, instance: models.Model, action: str, before: dict | None
) -> ObjectChange | None:
    """Write one change-log row; an update that changed nothing writes none."""
    after = None if action == ObjectChange.Action.DELETE else serialize_object(instance)
    if action == ObjectChange.Action.UPDATE and before == after:
        return None
    ctx = current_context()
    return ObjectChange.objects.create(
        user=actor if getattr(actor, "pk", None) else None,
        user_name=getattr(actor, "username", "") or "system",
        request_id=ctx.request_id,
        remote_addr=ctx.remote_addr,
        action=action,
        changed_object_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        changed_object_id=instance.pk,
        object_repr=str(instance)[:200],
        prechange_data=before,
        postchange_data=after,
    )


def record_event(
    *,
    actor,
    event: str,
    obj: models.Model | None = None,
    result: str = ObjectChange.Result.SUCCESS,
    data: dict | None = None,
    user_name: str = "",
) -> ObjectChange:
    """Write one event (a login, a failure, an approval, a waiver, an export) to the audit trail.

    ``event`` is a dotted name ("auth.login", "warning.waive"); ``data`` what a reader needs to
    understand it (figures, reason, parameters), stored as the entry's "after" data.
    """
    return record_events(
        actor=actor,
        entries=[(event, obj, data)],
        result=result,
        user_name=user_name,
    )[0]


def record_events(
    *,
    actor,
    entries: list[tuple[str, models.Model | None, dict | None]],
    result: str = ObjectChange.Result.SUCCESS,
    user_name: str = "",
) -> list[ObjectChange]:
    """Write many events of one actor at once (a scan opening 300 warnings): one bulk insert.

    Every event of the system goes through here or :func:`record_event`, so whatever the trail
    adds to each entry (its place in the hash chain) is added in one place.
    """
    ctx = current_context()
    rows = [
        ObjectChange(
            user=actor if getattr(actor, "pk", None) else None,
            user_name=user_name or getattr(actor, "username", "") or "system",
            request_id=ctx.request_id,
            remote_addr=ctx.remote_addr,
            action=ObjectChange.Action.EVENT,
            event=event,
            result=result,
            changed_object_type=(
                ContentType.objects.get_for_model(obj, for_concrete_model=True) if obj else None
            ),
            changed_object_id=obj.pk if obj else None,
            object_repr=str(obj)[:200] if obj else "",
            postchange_data=data,
        )
        for event, obj, data in entries
    ]
    return ObjectChange.objects.bulk_create(rows, batch_size=500)
