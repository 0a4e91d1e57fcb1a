"""The audit trail's own operations: the audited CSV export and the retention purge.

Both are writes to the trail (an ``audit.export`` / ``audit.purge`` event), so they live here as
services; the pages, the API and the management commands only call them.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone

from . import masking
from .changelog import PURGE_EVENT, event_label, local_time, lock_head, record_event
from .filtersets import applied_filters
from .models import ObjectChange
from .spreadsheets import defuse

EXPORT_EVENT = "audit.export"

EXPORT_COLUMNS = (
    "编号",
    "时间",
    "操作账号",
    "来源地址",
    "操作",
    "事件",
    "事件代码",
    "结果",
    "对象类型",
    "对象编号",
    "对象",
    "请求编号",
    "变更前",
    "变更后",
    "哈希",
)


def retention_days() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", 180))


def _require_auditor(actor) -> None:
    if not (actor and actor.is_authenticated and actor.has_model_perm(ObjectChange, "view")):
        raise PermissionDenied("只有审计管理员可以查看和导出审计日志。")


def _csv_line(values: list) -> str:
    buffer = io.StringIO()
    # Account names typed at the login page reach the log: defused like any text.
    csv.writer(buffer).writerow([defuse(v) for v in values])
    return buffer.getvalue()


def _json(value) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _type_name(change: ObjectChange) -> str:
    if not change.changed_object_type_id:
        return ""
    model = change.changed_object_type.model_class()
    return str(model._meta.verbose_name) if model else change.changed_object_type.model


def export_changes(*, actor, queryset, filters: dict[str, str]) -> tuple[int, Iterator[str]]:
    """Export ``queryset`` (the audit log, filtered) as CSV lines, UTF-8 with a BOM so Excel
    reads the Chinese; the export itself is recorded as an ``audit.export`` event with the
    filters used and the number of rows.

    Returns (row count, lines). The rows are fixed before the event is written, so the file
    holds exactly what the event says, the event itself not included.
    """
    _require_auditor(actor)
    with transaction.atomic():
        last = ObjectChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
        rows = queryset.filter(id__lte=last).select_related("changed_object_type")
        count = rows.count()
        record_event(
            actor=actor,
            event=EXPORT_EVENT,
            data={"filters": filters, "rows": count, "format": "csv"},
        )

    def lines() -> Iterator[str]:
        yield "\ufeff" + _csv_line(list(EXPORT_COLUMNS))
        for change in rows.order_by("-time", "-id").iterator(chunk_size=2000):
            model = (
                change.changed_object_type.model_class() if change.changed_object_type_id else None
            )
            before = masking.shown_data(actor, model, change.prechange_data, masking.Where.EXPORT)
            after = masking.shown_data(actor, model, change.postchange_data, masking.Where.EXPORT)
            yield _csv_line(
                [
                    change.pk,
                    local_time(change.time),
                    change.user_name,
                    change.remote_addr or "",
                    change.get_action_display(),
                    event_label(change.event) if change.event else "",
                    change.event,
                    change.get_result_display(),
                    _type_name(change),
                    change.changed_object_id if change.changed_object_id is not None else "",
                    change.object_repr,
                    str(change.request_id) if change.request_id else "",
                    _json(before),
                    _json(after),
                    change.hash,
                ]
            )

    return count, lines()


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime.datetime
    deleted: int
    event: ObjectChange | None


def purge_cutoff(before: datetime.date) -> datetime.datetime:
    """The start of ``before`` (local time): entries earlier than it are purged."""
    return timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))


def latest_purge_date(today: datetime.date | None = None) -> datetime.date:
    """The latest ``before`` a purge accepts: entries younger than the retention stay."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=retention_days())


def purge(*, before: datetime.date, actor=None, dry_run: bool = False) -> PurgeResult:
    """Delete the entries older than ``before`` — only a date at least ``AUDIT_RETENTION_DAYS``
    ago is accepted — and record the purge.

    Only a prefix of the chain is removed (everything before the first entry of ``before`` or
    later), so what remains is one unbroken chain; the purge event records the new first entry
    and its ``prev_hash`` as the anchor ``audit_verify`` starts from.
    """
    latest = latest_purge_date()
    if before > latest:
        raise ValidationError(
            f"审计日志至少保留 {retention_days()} 天：清理日期不得晚于 {latest:%Y-%m-%d}"
            f"（收到 {before:%Y-%m-%d}）。"
        )
    cutoff = purge_cutoff(before)
    base = ObjectChange._base_manager
    with transaction.atomic():
        head = lock_head()
        boundary = base.filter(time__gte=cutoff).order_by("id").values_list("id", flat=True).first()
        doomed = base.filter(id__lt=boundary) if boundary is not None else base.all()
        count = doomed.count()
        if dry_run or count == 0:
            return PurgeResult(cutoff, count, None)
        doomed.delete()
        first = base.order_by("id").values_list("id", "prev_hash").first()
        anchor_id, anchor_prev = first if first is not None else (None, head.last_hash)
        event = record_event(
            actor=actor,
            event=PURGE_EVENT,
            user_name="" if actor else "system",
            data={
                "before": before.isoformat(),
                "retention_days": retention_days(),
                "deleted": count,
                "anchor_id": anchor_id,
                "anchor_prev_hash": anchor_prev,
            },
        )
    return PurgeResult(cutoff, count, event)


def purge_expired() -> str:
    """The scheduled purge (a periodic job): every entry past the retention, never a younger
    one."""
    before = latest_purge_date()
    result = purge(before=before)
    return (
        f"已清理 {before:%Y-%m-%d} 以前的审计日志 {result.deleted} 条"
        f"（保留期 {retention_days()} 天）。"
    )


def export_response(*, actor, filterset) -> StreamingHttpResponse:
    """The audit log as a filterset selects it, as a CSV download (page and API alike)."""
    count, lines = export_changes(
        actor=actor, queryset=filterset.qs, filters=applied_filters(filterset)
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["X-Row-Count"] = str(count)
    return response
