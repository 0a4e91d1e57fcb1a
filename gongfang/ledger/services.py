"""Import batches' life: upload, preview, commit, revert (each an atomic ``do_*`` action that
leaves an audit event)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from ..framework import clock
from ..framework.changelog import record_changes, record_event, serialize_object
from ..framework.context import RequestContext, reset_context, set_context
from ..framework.models import ObjectChange
from ..framework.services import protected_message, service_for
from .importer import ImportResult, recheck_compliance, run_import
from .lease import Heartbeat, worker_is_gone, worker_token
from .models import ImportBatch
from .progress import clear_progress, set_progress
from .reader import FileRejected, RawSheet, read_workbook
from .specs import BY_KEY, SHEETS

Status = ImportBatch.Status
Stage = ImportBatch.Stage


def _require(actor, action: str) -> None:
    if not actor.has_model_perm(ImportBatch, action):
        raise PermissionDenied("您没有导入台账的权限。")


def read_sheets(filename: str, fileobj, sheet_key: str = "") -> list[RawSheet]:
    """Read an uploaded ledger; a refusal becomes a ``ValidationError`` on the file field."""
    is_csv = filename.lower().endswith(".csv")
    if is_csv and sheet_key not in BY_KEY:
        raise ValidationError({"sheet": "导入 CSV 文件时须选择它是哪一类台账。"})
    try:
        return read_workbook(filename, fileobj, csv_sheet=BY_KEY[sheet_key].title if is_csv else "")
    except FileRejected as exc:
        raise ValidationError({"file": exc.message}) from exc


def do_upload(*, actor, uploaded_file, mode: str, sheet_key: str = "") -> ImportBatch:
    """Keep the file as a new batch and check it: at once when small, on the queue when large.

    A file that is not a readable spreadsheet is refused before anything is kept.
    """
    _require(actor, "add")
    sheets = read_sheets(uploaded_file.name, uploaded_file, sheet_key)
    rows = sum(len(s.rows) for s in sheets)
    uploaded_file.seek(0)
    batch = ImportBatch.objects.create(
        user=actor,
        user_name=actor.username,
        file=uploaded_file,
        filename=uploaded_file.name[:255],
        size=uploaded_file.size or 0,
        sheet=sheet_key if uploaded_file.name.lower().endswith(".csv") else "",
        mode=mode,
        row_count=rows,
        background=rows > settings.LEDGER_IMPORT_SYNC_MAX_ROWS,
    )
    if batch.background:
        _enqueue(batch, Stage.PREVIEW)
    else:
        preview(batch, sheets=sheets)
    return batch


def _enqueue(batch: ImportBatch, stage: str) -> None:
    from .tasks import run_batch

    batch.status = Status.QUEUED if stage == Stage.PREVIEW else Status.COMMITTING
    batch.message = ""
    batch.save(update_fields=["status", "message"])
    set_progress(batch.uuid, 0, 0, stage)

    def send() -> None:
        result = run_batch.enqueue(batch.pk, stage)
        ImportBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id))

    transaction.on_commit(send)


def _sheets_of(batch: ImportBatch) -> list[RawSheet]:
    with batch.file.open("rb") as fileobj:
        return read_sheets(batch.filename, fileobj, batch.sheet)


def _progress(batch: ImportBatch, stage: str):
    def report(done: int, total: int) -> None:
        set_progress(batch.uuid, done, total, stage)

    return report


class LeaseLost(Exception):
    """The batch was reclaimed (its lease ran out) while this process was still running it."""


@contextmanager
def _lease(batch: ImportBatch, stage: str) -> Iterator[str]:
    """Run a stage under a lease renewed by a heartbeat; yields the holder's token.

    The stage's work must check the token before it saves its outcome (``_holding``): a batch
    reclaimed meanwhile belongs to nobody, and its retry to someone else.
    """
    token = worker_token()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=Status.PREVIEWING if stage == Stage.PREVIEW else Status.COMMITTING,
        stage=stage,
        message="",
        worker=token,
        **_renewed(),
    )
    batch.stage, batch.worker, batch.message = stage, token, ""
    heartbeat = Heartbeat(
        lambda: _holding(batch, token).update(**_renewed()),
        settings.LEDGER_IMPORT_HEARTBEAT_SECONDS,
        name=f"ledger-batch-{batch.pk}",
    )
    heartbeat.start()
    try:
        yield token
    except Exception as exc:
        # Failed here and now, not left "running" until its lease runs out.
        message = "；".join(exc.messages) if isinstance(exc, ValidationError) else SYSTEM_ERROR
        _holding(batch, token).update(status=Status.FAILED, message=message, lease_expires_at=None)
        clear_progress(batch.uuid)
        raise
    finally:
        heartbeat.stop()


def _renewed() -> dict:
    now = timezone.now()
    return {
        "heartbeat_at": now,
        "lease_expires_at": now + timedelta(seconds=settings.LEDGER_IMPORT_LEASE_SECONDS),
    }


def _holding(batch: ImportBatch, token: str) -> models.QuerySet:
    """The batch, if the lease ``token`` still holds it (empty once reclaimed or retried)."""
    return ImportBatch.objects.filter(
        pk=batch.pk, worker=token, status__in=[Status.PREVIEWING, Status.COMMITTING]
    )


def preview(batch: ImportBatch, *, sheets: list[RawSheet] | None = None) -> ImportResult:
    """Run the import without writing anything and keep what it found."""
    with _lease(batch, Stage.PREVIEW) as token:
        set_progress(batch.uuid, 0, 0, "read")
        result = run_import(
            actor=batch.user,
            sheets=sheets if sheets is not None else _sheets_of(batch),
            mode=batch.mode,
            commit=False,
            progress=_progress(batch, "preview"),
        )
        batch.result = result.as_dict()
        batch.status = Status.PREVIEWED if result.ok else Status.INVALID
        batch.previewed_at = timezone.now()
        batch.lease_expires_at = None
        _holding(batch, token).update(
            result=batch.result,
            status=batch.status,
            previewed_at=batch.previewed_at,
            lease_expires_at=None,
        )
    clear_progress(batch.uuid)
    return result


def do_commit(*, actor, batch: ImportBatch) -> ImportBatch:
    """Write a previewed batch: on the queue when large, here when small."""
    _require(actor, "add")
    if batch.user_id != actor.pk:
        raise PermissionDenied("只能确认本人上传的导入批次。")
    if batch.status != Status.PREVIEWED:
        raise ValidationError(f"批次状态为“{batch.get_status_display()}”，不能导入。")
    if batch.background:
        _enqueue(batch, Stage.COMMIT)
        return batch
    commit(batch)
    return batch


def commit(batch: ImportBatch, *, remote_addr: str | None = None) -> ImportResult | None:
    """Write the batch all-or-nothing; data changed since the preview may now make it fail.

    The objects, their change-log rows, the batch's event and its new state commit together.
    """
    with _lease(batch, Stage.COMMIT) as token:
        result = _commit_under(batch, token, remote_addr)
    clear_progress(batch.uuid)
    return result


def _commit_under(batch: ImportBatch, token: str, remote_addr: str | None) -> ImportResult | None:
    set_progress(batch.uuid, 0, 0, "read")
    sheets = _sheets_of(batch)
    try:
        with transaction.atomic():
            result = run_import(
                actor=batch.user,
                sheets=sheets,
                mode=batch.mode,
                commit=True,
                request_id=batch.uuid,
                remote_addr=remote_addr,
                progress=_progress(batch, "commit"),
                # Rows whose object changed since the preview are refused, not overwritten.
                based_on=batch.result.get("versions"),
            )
            batch.result = result.as_dict()
            if result.committed:
                batch.status = Status.COMMITTED
                batch.committed_at = timezone.now()
                record_event(
                    actor=batch.user,
                    event="ledger.import",
                    obj=batch,
                    data={
                        "file": batch.filename,
                        "mode": batch.mode,
                        "batch": str(batch.uuid),
                        "counts": batch.result["counts"],
                    },
                )
            else:
                batch.status = Status.INVALID
                batch.message = CHANGED_SINCE_PREVIEW
            # Locked until the end: a reclaim meanwhile rolls the whole import back.
            if not _holding(batch, token).select_for_update().exists():
                raise LeaseLost
            batch.lease_expires_at = None
            batch.save(
                update_fields=["result", "status", "committed_at", "message", "lease_expires_at"]
            )
    except IntegrityError:
        # Someone registered the same keys while this batch was being written.
        batch.status = Status.INVALID
        batch.message = WRITTEN_MEANWHILE
        _holding(batch, token).update(
            status=batch.status, message=batch.message, lease_expires_at=None
        )
        result = None
    except LeaseLost:
        batch.refresh_from_db()
        result = None
    return result


CHANGED_SINCE_PREVIEW = (
    "确认导入时数据已发生变化，出现了错误，未写入任何数据；请查看错误后重新上传。"
)
WRITTEN_MEANWHILE = (
    "导入过程中有人同时登记了相同标识的记录，未写入任何数据；请重新上传，检查后再确认。"
)


def run_stage(batch_id: int, stage: str) -> None:
    """What the queue worker runs; a crash leaves the batch failed (``_lease``), not running
    forever, and fails the queue's task as well."""
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    # A file that cannot be read any more fails the batch with the reason (``_lease``); the task
    # itself did its job.
    with suppress(ValidationError):
        if stage == Stage.PREVIEW:
            preview(batch)
        else:
            commit(batch)


SYSTEM_ERROR = "处理时发生系统错误，未写入任何数据；可重试或放弃。"


# Stuck batches: reclaim, retry, discard -------------------------------------------------------
class WorkerLost(Exception):
    """Recorded on the task-queue row of a batch whose worker died while running it."""


def reclaim_stuck_batches(*, now: datetime | None = None) -> list[ImportBatch]:
    """Mark failed every batch whose stage's process died: its lease ran out, or the process
    that held it is gone from this host. Nothing of it was written (a stage writes in one
    transaction, which died with its process); its owner may retry or discard it.

    Run when a worker starts, before each queued stage, and periodically by the scheduler.
    """
    now = now or clock.now()
    candidates = ImportBatch.objects.filter(
        status__in=[Status.PREVIEWING, Status.COMMITTING], lease_expires_at__isnull=False
    ).select_related("user")
    reclaimed = []
    for batch in candidates:
        if batch.lease_expires_at <= now:
            held = models.Q(lease_expires_at__lte=now)
        elif worker_is_gone(batch.worker):
            held = models.Q()
        else:
            continue
        if _reclaim(batch, held):
            reclaimed.append(batch)
    return reclaimed


def _reclaim(batch: ImportBatch, held: models.Q) -> bool:
    last = timezone.localtime(batch.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S")
    process = "后台任务进程" if batch.background else "处理上传请求的进程"
    message = (
        f"{process}中断（最后心跳 {last}），未写入任何数据；可重试或放弃。"
        f"（处理阶段：{batch.get_stage_display()}，处理进程：{batch.worker}）"
    )
    with transaction.atomic():
        taken = (
            _holding(batch, batch.worker)
            .filter(held)
            .update(status=Status.FAILED, message=message, lease_expires_at=None)
        )
        if not taken:  # it finished, or renewed its lease, meanwhile
            return False
        record_event(
            actor=None,
            event="ledger.reclaim",
            obj=batch,
            data={
                "file": batch.filename,
                "batch": str(batch.uuid),
                "stage": batch.stage,
                "worker": batch.worker,
                "heartbeat": batch.heartbeat_at.isoformat(),
            },
        )
        _fail_task_row(batch, message)
    batch.status, batch.message, batch.lease_expires_at = Status.FAILED, message, None
    clear_progress(batch.uuid)
    return True


def _fail_task_row(batch: ImportBatch, message: str) -> None:
    """The database queue's row of the dead run stays RUNNING (only the worker that ran it
    would close it): close it as failed. RQ closes its own abandoned jobs."""
    from .tasks import run_batch

    if batch.task_id and isinstance(run_batch.get_backend(), DatabaseBackend):
        for row in DBTaskResult.objects.filter(id=batch.task_id, status=TaskResultStatus.RUNNING):
            row.set_failed(WorkerLost(message))


def _require_own(actor, batch: ImportBatch, verb: str) -> None:
    _require(actor, "add")
    if batch.user_id != actor.pk:
        raise PermissionDenied(f"只能{verb}本人上传的导入批次。")
    if batch.status != Status.FAILED:
        raise ValidationError(
            f"批次“{batch.filename}”的状态为“{batch.get_status_display()}”，不能{verb}。"
        )


def do_retry(*, actor, batch: ImportBatch) -> ImportBatch:
    """Run a failed batch's stage again: on the queue when large, here when small."""
    _require_own(actor, batch, "重试")
    stage = batch.stage or Stage.PREVIEW
    with transaction.atomic():
        record_event(
            actor=actor,
            event="ledger.retry",
            obj=batch,
            data={"file": batch.filename, "batch": str(batch.uuid), "stage": stage},
        )
        if batch.background:
            _enqueue(batch, stage)
            return batch
    run_stage(batch.pk, stage)
    batch.refresh_from_db()
    return batch


def do_discard(*, actor, batch: ImportBatch) -> ImportBatch:
    """Give a failed batch up: it stays in the history as discarded, and can no longer run."""
    _require_own(actor, batch, "放弃")
    with transaction.atomic():
        batch.status = Status.DISCARDED
        batch.save(update_fields=["status"])
        record_event(
            actor=actor,
            event="ledger.discard",
            obj=batch,
            data={"file": batch.filename, "batch": str(batch.uuid), "stage": batch.stage},
        )
    return batch


# Revert ---------------------------------------------------------------------------------------
class RevertRefused(ValidationError):
    pass


def batch_changes(batch: ImportBatch) -> models.QuerySet:
    return ObjectChange.objects.filter(
        request_id=batch.uuid,
        action__in=[ObjectChange.Action.CREATE, ObjectChange.Action.UPDATE],
    ).order_by("id")


def revert_conflicts(batch: ImportBatch) -> list[str]:
    """What has changed since the batch, each as a sentence naming the object and who."""
    changes = list(
        batch_changes(batch).values_list("id", "changed_object_type_id", "changed_object_id")
    )
    if not changes:
        return []
    last = changes[-1][0]
    mine = {(t, o) for _, t, o in changes}
    later = (
        ObjectChange.objects.filter(
            id__gt=last, changed_object_type_id__in={t for t in (c[1] for c in changes)}
        )
        .exclude(action=ObjectChange.Action.EVENT)
        .exclude(request_id=batch.uuid)
        .order_by("id")
        .values_list(
            "changed_object_type_id", "changed_object_id", "object_repr", "user_name", "time"
        )
    )
    out = []
    for type_id, object_id, text, user_name, time in later.iterator(chunk_size=2000):
        if (type_id, object_id) in mine:
            when = timezone.localtime(time).strftime("%Y-%m-%d %H:%M")
            out.append(f"“{text}”在导入后已被 {user_name} 于 {when} 修改。")
    return out


def do_revert(*, actor, batch: ImportBatch) -> ImportBatch:
    """Undo a committed batch as a whole: delete what it created, restore what it changed.

    Refused (naming the objects) when any of them has changed since, or when deleting what it
    created would take other objects with it.
    """
    _require(actor, "delete")
    if batch.user_id != actor.pk:
        raise PermissionDenied("只能撤销本人的导入批次。")
    if batch.status != Status.COMMITTED:
        raise ValidationError(f"批次状态为“{batch.get_status_display()}”，不能撤销。")
    conflicts = revert_conflicts(batch)
    if conflicts:
        raise RevertRefused(["以下对象在导入后又有变动，不能整批撤销：", *conflicts[:50]])
    token = set_context(RequestContext(request_id=uuid.uuid4()))
    try:
        with transaction.atomic():
            log = _revert_writes(actor, batch)
            record_changes(actor=actor, changes=log)
            recheck_compliance([c for c in log if c[1] != ObjectChange.Action.DELETE])
            batch.status = Status.REVERTED
            batch.reverted_at = timezone.now()
            batch.save(update_fields=["status", "reverted_at"])
            record_event(
                actor=actor,
                event="ledger.revert",
                obj=batch,
                data={"file": batch.filename, "batch": str(batch.uuid), "objects": len(log)},
            )
    finally:
        reset_context(token)
    return batch


def _revert_writes(actor, batch: ImportBatch) -> list[tuple[models.Model, str, dict | None]]:
    created: dict[type, list[int]] = defaultdict(list)
    updated: dict[type, dict[int, dict]] = defaultdict(dict)
    rows = batch_changes(batch).select_related("changed_object_type")
    for change in rows.iterator(chunk_size=2000):
        model = change.changed_object_type.model_class()
        if change.action == ObjectChange.Action.CREATE:
            created[model].append(change.changed_object_id)
        else:
            # The first change of an object in the batch holds its state before the batch.
            updated[model].setdefault(change.changed_object_id, change.prechange_data)
    log: list[tuple[models.Model, str, dict | None]] = []
    for model, states in updated.items():
        instances = model._base_manager.in_bulk(list(states))
        restored = []
        for pk, state in states.items():
            instance = instances[pk]
            before = serialize_object(instance)
            _restore(instance, state)
            instance.version += 1  # a revert is a write like any other: it raises the version
            log.append((instance, ObjectChange.Action.UPDATE, before))
            restored.append((instance, before))
        fields = [*sorted({n for s in states.values() for n in s} & _editable(model)), "version"]
        model._base_manager.bulk_update(list(instances.values()), fields, batch_size=500)
        if _editable(model) != {f.name for f in model._meta.concrete_fields if not f.primary_key}:
            # Derived fields (a unit's path, and its subtree's) follow the restored values the
            # way they follow any save.
            service = service_for(model)
            for instance, before in restored:
                service.after_save(actor=actor, instance=instance, before=before)
    order = [s.model for s in reversed(SHEETS)]
    for model in sorted(created, key=lambda m: order.index(m) if m in order else -1):
        ids = created[model]
        doomed = list(model._base_manager.filter(pk__in=ids))
        befores = [(obj, serialize_object(obj)) for obj in doomed]
        # Units created with their parent in the same batch: their links to each other go
        # first, or the parent's protection would stop its own batch's revert.
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is model and field.null:
                model._base_manager.filter(pk__in=ids, **{f"{field.name}__in": ids}).update(
                    **{field.name: None}
                )
        try:
            _, deleted = model._base_manager.filter(pk__in=ids).delete()
        except (ProtectedError, RestrictedError) as exc:
            raise RevertRefused(protected_message(doomed[0], exc)) from exc
        label = model._meta.label
        extra = {
            k: n for k, n in deleted.items() if n and k != label and not k.startswith("compliance.")
        }
        if extra:
            names = "、".join(extra)
            raise RevertRefused(
                f"删除本批次新建的{model._meta.verbose_name}会连带删除其他数据（{names}），不能撤销。"
            )
        for obj, before in befores:
            log.append((obj, ObjectChange.Action.DELETE, before))
    return log


def _editable(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key}


def _restore(instance: models.Model, state: dict) -> None:
    """Put back the recorded values of an object's own fields (derived ones are recomputed)."""
    editable = _editable(type(instance))
    for name, value in state.items():
        if name not in editable:
            continue
        field = instance._meta.get_field(name)
        if field.is_relation:
            setattr(instance, field.attname, value)
        else:
            setattr(instance, field.attname, field.to_python(value))
