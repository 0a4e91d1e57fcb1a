"""Optimistic versions: an edit carries the version it was based on (DESIGN §7 "Concurrency").

Every :class:`~gongfang.framework.models.PrimaryModel` row has a ``version`` that each write
raises by one. Forms carry it in a hidden field and the API as an ``ETag`` / ``If-Match``; the
service compares it with the locked row and refuses an edit based on an older version with
:class:`StaleObjectError`, whose message says who changed what in between (from the change log,
where each entry records the version it produced).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone

from .changelog import HIDDEN_IN_DIFF, logged_value
from .models import ObjectChange

# Changes listed in a conflict message; more are summed up.
SHOWN_CHANGES = 5


class StaleObjectError(ValidationError):
    """The row was changed after the version the edit was based on."""

    def __init__(self, instance: models.Model, expected: int) -> None:
        self.instance = instance
        self.expected = expected
        self.current = instance.version
        super().__init__(stale_message(instance, expected))


def is_versioned(model: type[models.Model] | models.Model) -> bool:
    """Whether rows of ``model`` carry the optimistic version, a counter (a standard's rows use
    the name ``version`` for the standard version they belong to, a required field's rows for
    the acceptance rule's version label, and have none)."""
    try:
        field = model._meta.get_field("version")
    except FieldDoesNotExist:
        return False
    return not field.is_relation and isinstance(field, models.IntegerField)


def check_version(instance: models.Model, expected: int | None) -> None:
    """Refuse when ``expected`` is given and the (locked) row is at another version."""
    if expected is not None and is_versioned(instance) and instance.version != expected:
        raise StaleObjectError(instance, expected)


def parse_version(value) -> int | None:
    """A version from a form field or header value; None when absent or not a number."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def etag(instance: models.Model) -> str:
    """The API's entity tag of one object: its version, quoted."""
    return f'"{instance.version}"'


def changes_since(instance: models.Model, version: int) -> list[ObjectChange]:
    """The change-log entries that took ``instance`` past ``version``, oldest first."""
    return list(
        ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(
                instance, for_concrete_model=True
            ),
            changed_object_id=instance.pk,
            postchange_data__version__gt=version,
        ).order_by("time", "pk")
    )


def stale_message(instance: models.Model, expected: int) -> str:
    """'“101” was changed by zz_bureau at 12-05 18:30 (使用面积：20.00 → 25.00) …' in Chinese."""
    model = type(instance)
    meta = model._meta
    lines = []
    changes = changes_since(instance, expected)
    for change in changes[-SHOWN_CHANGES:]:
        when = timezone.localtime(change.time).strftime("%Y-%m-%d %H:%M")
        fields = []
        for name, before, after in change.diff:
            if name in HIDDEN_IN_DIFF:
                continue
            try:
                field = meta.get_field(name)
            except FieldDoesNotExist:
                continue
            fields.append(
                f"{field.verbose_name}：{logged_value(field, before)} → {logged_value(field, after)}"
            )
        shown = "；".join(fields) if fields else "内容"
        lines.append(f"{change.user_name or '系统'} 于 {when} 修改了{shown}")
    earlier = len(changes) - SHOWN_CHANGES
    if earlier > 0:
        lines.insert(0, f"（另有 {earlier} 次更早的修改）")
    detail = "；".join(lines) if lines else "他人已修改"
    return (
        f"{meta.verbose_name}“{instance}”在您打开后已被修改（您依据的是第 {expected} 版，"
        f"现为第 {instance.version} 版）：{detail}。您的修改未保存，请刷新后在最新内容上重新修改。"
    )
