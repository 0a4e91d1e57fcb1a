"""Signed checkpoints of the audit chain, exported to a file outside the database.

The chain's MAC stops whoever can only write the database; a checkpoint stops whoever also holds
the key. Every so often (a periodic job, or the audit administrator's button) the chain's head —
the last entry's id and hash — is signed with a key derived from the current audit key and
written both to the database (to show it) and, as one JSON line, to ``AUDIT_CHECKPOINT_FILE``,
which the operator keeps on other storage (another host, write-once media). History rewritten
later, however well re-sealed, no longer has the hash a checkpoint noted: ``audit_verify``
compares every checkpoint of the file with the chain and with the database's copy.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import keyring
from .changelog import lock_head, record_event
from .models import AuditCheckpoint, ObjectChange

PURPOSE = "audit-checkpoint"
EVENT = "audit.checkpoint"
FORMAT = "gongfang-audit-checkpoint-v1"
FIELDS = ("id", "created_at", "last_id", "last_hash", "key_id", "algorithm", "public_key")


def checkpoint_file() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def _time_text(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def signed_text(values: dict) -> str:
    """The canonical text a checkpoint's signature covers."""
    payload = {name: values[name] for name in FIELDS}
    if isinstance(payload["created_at"], datetime.datetime):
        payload["created_at"] = _time_text(payload["created_at"])
    return FORMAT + "\n" + json.dumps(payload, sort_keys=True, separators=(",", ":"))


def as_line(checkpoint: AuditCheckpoint) -> dict:
    """The checkpoint as the file holds it."""
    values = {name: getattr(checkpoint, name) for name in FIELDS}
    values["created_at"] = _time_text(checkpoint.created_at)
    values["signature"] = checkpoint.signature
    values["format"] = FORMAT
    return values


def _export(checkpoint: AuditCheckpoint) -> None:
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(as_line(checkpoint), sort_keys=True, ensure_ascii=False)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def create_checkpoint(*, actor=None) -> AuditCheckpoint | None:
    """Sign the chain's head, store it and append it to the checkpoint file; recorded as an
    ``audit.checkpoint`` event. None when nothing was written since the last checkpoint (but
    that checkpoint's own event).

    The file is written inside the transaction: if it cannot be written, nothing is stored.
    """
    with transaction.atomic():
        head = lock_head()
        if head.last_id is None:
            return None
        latest = AuditCheckpoint.objects.order_by("-pk").first()
        if latest is not None and not (
            ObjectChange.objects.filter(id__gt=latest.last_id).exclude(event=EVENT).exists()
        ):
            return None
        key = keyring.current()
        signing = key.signing_key(PURPOSE)
        checkpoint = AuditCheckpoint.objects.create(
            created_at=timezone.now(),
            last_id=head.last_id,
            last_hash=head.last_hash,
            key_id=key.id,
            algorithm=signing.algorithm,
            public_key=signing.public_key,
            signature="",
        )
        checkpoint.signature = signing.sign(signed_text(as_line(checkpoint)))
        checkpoint.save(update_fields=["signature"])
        _export(checkpoint)
        record_event(
            actor=actor,
            event=EVENT,
            obj=checkpoint,
            user_name="" if actor else "system",
            data={
                "checkpoint": checkpoint.pk,
                "last_id": checkpoint.last_id,
                "last_hash": checkpoint.last_hash,
                "key_id": checkpoint.key_id,
            },
        )
    return checkpoint


def run_checkpoint() -> str:
    """The periodic job."""
    checkpoint = create_checkpoint()
    if checkpoint is None:
        return "审计日志自上一检查点以来没有新记录，未生成检查点。"
    return (
        f"已生成审计检查点 #{checkpoint.pk}（截至记录 {checkpoint.last_id}），"
        f"并写入 {checkpoint_file()}。"
    )


# Verification ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckpointMismatch:
    """The first checkpoint that does not hold."""

    id: int | None
    line: int | None  # in the file (1-based), when it came from there
    problem: str


@dataclass(frozen=True)
class CheckpointReport:
    count: int
    mismatch: CheckpointMismatch | None
    purged: int = 0  # checkpoints of entries purged since (nothing to compare)

    @property
    def ok(self) -> bool:
        return self.mismatch is None


def read_file() -> tuple[list[tuple[int, dict]], CheckpointMismatch | None]:
    """The file's checkpoints as (line number, values); a line that is not one is a mismatch."""
    path = checkpoint_file()
    if not path.exists():
        return [], None
    entries = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                values = json.loads(line)
                if not isinstance(values, dict) or any(
                    name not in values for name in (*FIELDS, "signature")
                ):
                    raise ValueError(line)
            except ValueError:
                return entries, CheckpointMismatch(None, number, "检查点文件中有无法识别的行")
            entries.append((number, values))
    return entries, None


def signature_holds(values: dict) -> bool:
    """Whether a checkpoint is signed by the key it names — one of ours."""
    key = keyring.get(str(values.get("key_id") or ""))
    if key is None:
        return False
    seal = keyring.Seal(
        values["algorithm"], values["key_id"], values["public_key"], values["signature"]
    )
    return keyring.verify_seal(signed_text(values), seal, purpose=PURPOSE)


def _same(stored: AuditCheckpoint, values: dict) -> bool:
    line = as_line(stored)
    return all(line[name] == values.get(name) for name in (*FIELDS, "signature"))


def verify_checkpoints() -> CheckpointReport:
    """Compare the file's checkpoints, in order, with the chain and with the database's copies,
    and report the first that does not match; a checkpoint in the database that the file lacks
    is a mismatch too (the file was cut, or the row forged)."""
    entries, broken = read_file()
    stored = {c.pk: c for c in AuditCheckpoint.objects.order_by("pk")}
    first_id = ObjectChange._base_manager.order_by("id").values_list("id", flat=True).first()
    seen: set[int] = set()
    count = purged = 0
    for number, values in entries:
        pk = values.get("id")

        def mismatch(
            problem: str, pk=pk, number=number, count=count, purged=purged
        ) -> CheckpointReport:
            return CheckpointReport(count, CheckpointMismatch(pk, number, problem), purged)

        if not signature_holds(values):
            return mismatch("签名无效或不是本系统密钥所签")
        if parse_datetime(str(values["created_at"])) is None:
            return mismatch("检查点时间无法识别")
        row = stored.get(pk)
        if row is None:
            return mismatch("数据库中缺少该检查点")
        if not _same(row, values):
            return mismatch("数据库中的检查点与文件不一致")
        seen.add(pk)
        entry_hash = (
            ObjectChange._base_manager.filter(id=values["last_id"])
            .values_list("hash", flat=True)
            .first()
        )
        if entry_hash is None:
            if first_id is None or values["last_id"] < first_id:
                purged += 1  # purged since: nothing left to compare
                count += 1
                continue
            return mismatch(f"检查点所记的审计记录 {values['last_id']} 已不存在")
        if entry_hash != values["last_hash"]:
            return mismatch(
                f"审计记录 {values['last_id']} 的哈希与检查点不一致：检查点之前的历史被改写"
            )
        count += 1
    if broken is not None:
        return CheckpointReport(count, broken, purged)
    for pk in stored:
        if pk not in seen:
            return CheckpointReport(
                count,
                CheckpointMismatch(
                    pk, None, "检查点文件中缺少该检查点（文件被删改或检查点是伪造的）"
                ),
                purged,
            )
    return CheckpointReport(count, None, purged)


def file_status() -> dict[int, bool]:
    """{checkpoint id: whether the file holds it exactly and it is validly signed}, for the
    audit administrator's page."""
    entries, _ = read_file()
    stored = {c.pk: c for c in AuditCheckpoint.objects.all()}
    status = dict.fromkeys(stored, False)
    for _, values in entries:
        row = stored.get(values.get("id"))
        if row is not None and _same(row, values) and signature_holds(values):
            status[row.pk] = True
    return status
