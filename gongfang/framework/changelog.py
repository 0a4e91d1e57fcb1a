"""Writing the change log: a JSON snapshot of an object before and after each write, events,
and the hash chain that makes the trail tamper-evident.

Every row goes through :func:`append`, which links it to the row before (``prev_hash``) and
seals it (``hash`` = SHA-256 over a canonical JSON of its content and ``prev_hash``) while
holding the chain's one-row lock. :func:`verify_chain` walks the chain back.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import ipaddress
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.db.models import Max
from django.utils import timezone

from .context import current_context
from .models import AuditChainHead, ObjectChange

# The first row of a chain links to this.
GENESIS = ""
# The event a purge writes; its data anchor the chain's new first row.
PURGE_EVENT = "audit.purge"
# Never written to the trail, whatever the model: a password hash is no one's business.
SENSITIVE_FIELDS = frozenset({"password"})

# Recorded (a conflict names the versions in between) but not shown as a changed field.
HIDDEN_IN_DIFF = frozenset({"version"})
# How an empty value reads.
EMPTY = "—"

# Event name -> what a reader of the audit log sees; apps add theirs (register_event_labels).
EVENT_LABELS: dict[str, str] = {
    "audit.export": "导出审计日志",
    PURGE_EVENT: "清理审计日志",
}


def register_event_labels(labels: dict[str, str]) -> None:
    EVENT_LABELS.update(labels)


def event_label(event: str) -> str:
    """The Chinese name of an event, or its code when none is registered."""
    return EVENT_LABELS.get(event, event)


def _json_value(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return value


def logged_value(field: models.Field | None, value) -> str:
    """A value as stored in the change log (JSON), shown with its Chinese label if it is a code."""
    if value is None or value == "":
        return EMPTY
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and field.is_relation:
        return f"#{value}"
    if isinstance(value, dict | list):
        return "（结构化数据）"
    return str(value)


def serialize_object(instance: models.Model) -> dict:
    """Every concrete field by name (foreign keys by id), as JSON-safe values."""
    exclude = set(getattr(instance, "changelog_exclude", ())) | SENSITIVE_FIELDS
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
    rows = record_changes(actor=actor, changes=[(instance, action, before)])
    return rows[0] if rows else None


def record_changes(
    *, actor, changes: list[tuple[models.Model, str, dict | None]]
) -> list[ObjectChange]:
    """Write the change-log rows of many writes of one actor in one insert (an import).

    ``changes`` holds (instance, action, before); updates that changed nothing write no row.
    """
    ctx = current_context()
    user_id = actor.pk if getattr(actor, "pk", None) else None
    user_name = getattr(actor, "username", "") or "system"
    types: dict[type, int] = {}
    rows = []
    for instance, action, before in changes:
        after = None if action == ObjectChange.Action.DELETE else serialize_object(instance)
        if action == ObjectChange.Action.UPDATE and before == after:
            continue
        model = type(instance)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model, for_concrete_model=True).pk
        # Ids rather than objects: thousands of rows at a time (an import) skip the descriptors.
        rows.append(
            ObjectChange(
                user_id=user_id,
                user_name=user_name,
                request_id=ctx.request_id,
                remote_addr=ctx.remote_addr,
                action=action,
                changed_object_type_id=types[model],
                changed_object_id=instance.pk,
                object_repr=str(instance)[:200],
                prechange_data=before,
                postchange_data=after,
            )
        )
    return append(rows)


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
    return append(rows)


# The hash chain --------------------------------------------------------------------------------
# Content fields sealed by the hash, in this order. ``user`` is left out (its name is in
# ``user_name``): deleting an account sets it to NULL, which must not break the chain.
HASHED_FIELDS = (
    "time",
    "user_name",
    "request_id",
    "remote_addr",
    "action",
    "event",
    "result",
    "changed_object_type",
    "changed_object_id",
    "object_repr",
    "prechange_data",
    "postchange_data",
    "prev_hash",
)
# What the verifier reads of each row (``changed_object_type`` as its id).
_VERIFY_COLUMNS = (
    "id",
    "hash",
    *(f"{f}_id" if f == "changed_object_type" else f for f in HASHED_FIELDS),
)


def _canonical_json(value):
    """A JSON value as the database will give it back: keys sorted later, numbers that PostgreSQL
    ``jsonb`` turns into integers (1e20) turned into integers now."""
    if isinstance(value, dict):
        return {str(k): _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_json(v) for v in value]
    if isinstance(value, float) and value.is_integer() and "e" in repr(value):
        return int(value)
    return value


def _canonical_time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical_addr(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def _type_label(type_id: int | None) -> str | None:
    """``app_label.model`` of a content type: ids differ between databases, labels don't."""
    if type_id is None:
        return None
    ct = ContentType.objects.get_for_id(type_id)  # cached by Django
    return f"{ct.app_label}.{ct.model}"


def entry_hash(values: dict) -> str:
    """SHA-256 (hex) of one row's content fields and ``prev_hash``.

    ``values`` maps the names of :data:`HASHED_FIELDS` to the row's values
    (``changed_object_type`` as its id); the canonical form is sorted, compact UTF-8 JSON.
    """
    request_id = values["request_id"]
    payload = {
        "time": _canonical_time(values["time"]),
        "user_name": values["user_name"] or "",
        "request_id": str(request_id) if request_id else None,
        "remote_addr": _canonical_addr(values["remote_addr"]),
        "action": values["action"],
        "event": values["event"] or "",
        "result": values["result"],
        "changed_object_type": _type_label(values["changed_object_type"]),
        "changed_object_id": values["changed_object_id"],
        "object_repr": values["object_repr"] or "",
        "prechange_data": _canonical_json(values["prechange_data"]),
        "postchange_data": _canonical_json(values["postchange_data"]),
        "prev_hash": values["prev_hash"] or "",
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _row_values(row: ObjectChange) -> dict:
    values = {name: getattr(row, name) for name in HASHED_FIELDS if name != "changed_object_type"}
    values["changed_object_type"] = row.changed_object_type_id
    if isinstance(values["request_id"], str):
        values["request_id"] = uuid.UUID(values["request_id"])
    return values


def lock_head() -> AuditChainHead:
    """The chain's head, locked until the surrounding transaction ends."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head, _ = AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def append(rows: list[ObjectChange]) -> list[ObjectChange]:
    """Chain and insert ``rows`` (new, unsaved) in order; the one writer of the trail's rows."""
    if not rows:
        return rows
    with transaction.atomic():
        head = lock_head()
        prev = head.last_hash
        for row in rows:
            if row.pk is not None:
                raise PermissionError("变更记录不可修改")
            row.time = row.time or timezone.now()
            row.prev_hash = prev
            row.hash = entry_hash(_row_values(row))
            prev = row.hash
        if len(rows) >= EXECUTEMANY_MIN_ROWS:
            _insert_many(rows)
            created = rows
        else:
            created = ObjectChange._base_manager.bulk_create(rows, batch_size=500)
        last_id = created[-1].pk
        if last_id is None:  # executemany, or a backend that does not return ids
            last_id = ObjectChange._base_manager.aggregate(n=Max("id"))["n"]
        head.last_id = last_id
        head.last_hash = prev
        head.save(update_fields=["last_id", "last_hash"])
    return created


# From this many rows on (an import's thousands of creates), rows go in by one executemany
# without the ORM's per-row compilation; they come back without their ids then.
EXECUTEMANY_MIN_ROWS = 1000


def _insert_many(rows: list[ObjectChange]) -> None:
    connection = connections[router.db_for_write(ObjectChange)]
    fields = [f for f in ObjectChange._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(ObjectChange._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    # Text and integer columns go to the driver as they are; the others (time, UUID, address,
    # JSON) through their field's conversion for this database.
    plain = (models.CharField, models.IntegerField, models.ForeignKey)
    converted = [not isinstance(f, plain) for f in fields]
    attnames = [f.attname for f in fields]
    params = [
        tuple(
            f.get_db_prep_save(getattr(row, a), connection=connection) if c else getattr(row, a)
            for f, a, c in zip(fields, attnames, converted, strict=True)
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold."""

    id: int | None
    time: datetime.datetime | None
    problem: str
    expected: str
    found: str


@dataclass(frozen=True)
class ChainReport:
    count: int
    broken: ChainBreak | None
    # The last entry verified (id, hash): noted outside the database, it proves later that
    # nothing up to it was rewritten.
    last_id: int | None = None
    last_hash: str = ""

    @property
    def ok(self) -> bool:
        return self.broken is None


def _rows(upto: int | None, chunk_size: int) -> Iterator[dict]:
    queryset = ObjectChange._base_manager.order_by("id")
    if upto is not None:
        queryset = queryset.filter(id__lte=upto)
    for row in queryset.values_list(*_VERIFY_COLUMNS).iterator(chunk_size=chunk_size):
        values = dict(zip(_VERIFY_COLUMNS, row, strict=True))
        values["changed_object_type"] = values.pop("changed_object_type_id")
        yield values


def purge_anchors() -> dict[int | None, str]:
    """{first remaining id: its prev_hash} as recorded by each purge (None: the purge event
    itself was the first row left)."""
    anchors: dict[int | None, str] = {}
    events = ObjectChange._base_manager.filter(action=ObjectChange.Action.EVENT, event=PURGE_EVENT)
    for data in events.values_list("postchange_data", flat=True):
        if isinstance(data, dict) and "anchor_prev_hash" in data:
            anchors[data.get("anchor_id")] = data["anchor_prev_hash"]
    return anchors


def verify_chain(*, chunk_size: int = 5000) -> ChainReport:
    """Walk the chain in id order and report the first broken link.

    A row whose content no longer matches its hash was edited; a row whose ``prev_hash`` is not
    the hash of the row before it follows a removed (or inserted) row; the first row must start
    the chain or be the anchor a purge recorded; the last must be the head's.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    # Rows appended while the walk runs come after the head read here: left for the next walk.
    upto = head.last_id if head is not None else None
    count = 0
    expected_prev: str | None = None
    last: dict | None = None
    for values in _rows(upto, chunk_size):
        if expected_prev is None:
            expected_prev = _first_link(values)
        if values["prev_hash"] != expected_prev:
            problem = "链接断开：前一条记录缺失或被插入" if count else "链首缺失：最早的记录被删除"
            return ChainReport(
                count,
                ChainBreak(
                    values["id"], values["time"], problem, expected_prev, values["prev_hash"]
                ),
            )
        computed = entry_hash(values)
        if computed != values["hash"]:
            return ChainReport(
                count,
                ChainBreak(values["id"], values["time"], "内容被篡改", computed, values["hash"]),
            )
        expected_prev = values["hash"]
        last = values
        count += 1
    head_hash = head.last_hash if head is not None else GENESIS
    found = last["hash"] if last is not None else GENESIS
    if found != head_hash:
        return ChainReport(
            count,
            ChainBreak(
                last["id"] if last else None,
                last["time"] if last else None,
                "链尾缺失：最后的记录被删除",
                head_hash,
                found,
            ),
        )
    return ChainReport(count, None, last["id"] if last else None, found)


def _first_link(first: dict) -> str:
    """What the first remaining row's prev_hash must be: the genesis, or a purge's anchor."""
    if first["prev_hash"] == GENESIS:
        return GENESIS
    anchors = purge_anchors()
    if anchors.get(first["id"]) == first["prev_hash"]:
        return first["prev_hash"]
    if (
        first["event"] == PURGE_EVENT
        and anchors.get(None) == first["prev_hash"]
        and isinstance(first["postchange_data"], dict)
        and first["postchange_data"].get("anchor_id") is None
    ):
        return first["prev_hash"]
    return GENESIS
