"""Writing the change log: a JSON snapshot of an object before and after each write, events,
and the hash chain that makes the trail tamper-evident.

Every row goes through :func:`append`, which links it to the row before (``prev_hash``) and
seals it (``hash`` = SHA-256 over a canonical JSON of its content and ``prev_hash``) while
holding the chain's one-row lock. :func:`verify_chain` walks the chain back.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import hashlib
import ipaddress
import json
import operator
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import crypto, keyring
from .bulk import insert_values, reserve_ids
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
    "list.export": "导出列表",
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


def local_time(value: datetime.datetime) -> str:
    """A time as its reader reads it: local (Asia/Shanghai), to the second."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def stored_time(value) -> str | None:
    """A time stored as ISO text with its offset (the change log, events' data: UTC), as its
    reader reads it; None for anything else."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return local_time(moment)


def logged_value(field: models.Field | None, value) -> str:
    """A value as stored in the change log (JSON), shown with its Chinese label if it is a code
    and in local time if it is a time."""
    if value is None or value == "":
        return EMPTY
    if isinstance(field, models.DateTimeField) and (shown := stored_time(value)):
        return shown
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
    return {
        name: convert(getattr(instance, attname)) if convert else getattr(instance, attname)
        for name, attname, convert in _serialized_fields(type(instance))
    }


@functools.cache
def _serialized_fields(model: type[models.Model]) -> tuple:
    """(name, attname, conversion or None) of the fields :func:`serialize_object` writes: worked
    out once per model, as an import serializes tens of thousands of rows."""
    exclude = set(getattr(model, "changelog_exclude", ())) | SENSITIVE_FIELDS
    out = []
    for field in model._meta.concrete_fields:
        if field.name in exclude:
            continue
        if isinstance(field, models.DecimalField):
            convert = functools.partial(
                _decimal_text, decimal.Decimal(1).scaleb(-field.decimal_places)
            )
        elif isinstance(field, models.DateField | models.TimeField | models.FileField):
            convert = _json_value
        else:
            convert = None  # text, numbers, booleans, ids, JSON: JSON-safe as they are
        out.append((field.name, field.attname, convert))
    return tuple(out)


def _decimal_text(exponent: decimal.Decimal, value) -> str | None:
    # As the database stores it: 16.5 and 16.50 are the same area.
    return None if value is None else str(decimal.Decimal(value).quantize(exponent))


def record_change(
    *, actor, instance: models.Model, action: str, before: dict | None
) -> ObjectChange | None:
    """Write one change-log row; an update that changed nothing writes none."""
    rows = _change_rows(actor, [(instance, action, before)])
    if not rows:
        return None
    append_rows(rows)
    return _instance(rows[0])


def record_changes(*, actor, changes: list[tuple[models.Model, str, dict | None]]) -> int:
    """Write the change-log rows of many writes of one actor in one insert (an import);
    returns how many rows were written.

    ``changes`` holds (instance, action, before); updates that changed nothing write no row.
    No model instance is made per row: an import writes tens of thousands of them.
    """
    rows = _change_rows(actor, changes)
    append_rows(rows)
    return len(rows)


def _change_rows(actor, changes: list[tuple[models.Model, str, dict | None]]) -> list[dict]:
    """The rows of ``changes`` as {field name: value} (foreign keys as ids), not yet chained."""
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
        rows.append(
            {
                "user": user_id,
                "user_name": user_name,
                "request_id": ctx.request_id,
                "remote_addr": ctx.remote_addr,
                "action": action,
                "event": "",
                "result": ObjectChange.Result.SUCCESS,
                "changed_object_type": types[model],
                "changed_object_id": instance.pk,
                "object_repr": str(instance)[:200],
                "prechange_data": before,
                "postchange_data": after,
            }
        )
    return rows


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
    "key_id",
    "algorithm",
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
        if _FLAT.issuperset(map(type, value.values())) and {str}.issuperset(map(type, value)):
            return value  # a serialized object: nothing to change (the common case, fast)
        return {str(k): _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_json(v) for v in value]
    if isinstance(value, float) and value.is_integer() and "e" in repr(value):
        return int(value)
    return value


# Values of a flat JSON object that :func:`_canonical_json` leaves as they are.
_FLAT = frozenset({str, int, bool, type(None)})


@functools.lru_cache(maxsize=16)  # the rows of one append share their time
def _canonical_time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@functools.lru_cache(maxsize=256)
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
    """The keyed hash (hex) of one row's content fields, ``prev_hash``, ``key_id`` and
    ``algorithm``: a MAC with the key ``key_id`` names (kept outside the database).

    ``values`` maps the names of :data:`HASHED_FIELDS` to the row's values
    (``changed_object_type`` as its id); the canonical form is sorted, compact UTF-8 JSON.
    Raises :class:`UnknownKey` when the key is not configured.
    """
    text = _payload(
        values, _json_text(values["prechange_data"]), _json_text(values["postchange_data"])
    )
    return chain_mac(values["key_id"], values["algorithm"]).hexdigest(text)


def legacy_hash(values: dict) -> str:
    """The unkeyed SHA-256 of a row as sealed before the chain had a key (migrations only)."""
    text = _payload(
        values,
        _json_text(values["prechange_data"]),
        _json_text(values["postchange_data"]),
        keyed=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class UnknownKey(LookupError):
    """A row names a key that is not configured (or no key at all)."""


CHAIN_PURPOSE = "audit-chain"


def chain_mac(key_id: str, algorithm: str) -> crypto.Mac:
    key = keyring.get(key_id) if key_id else None
    if key is None:
        raise UnknownKey(key_id)
    return _chain_mac(key.id, key.secret, algorithm)


@functools.lru_cache(maxsize=32)
def _chain_mac(key_id: str, secret: bytes, algorithm: str) -> crypto.Mac:
    return crypto.Mac(crypto.derive_key(secret, CHAIN_PURPOSE), algorithm)


def _json_text(value) -> str:
    """A JSON value in the canonical form the hash covers: sorted, compact, UTF-8."""
    return "null" if value is None else _CANONICAL.encode(_canonical_json(value))


# What ``json.dumps(..., sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` makes, made
# once (an import encodes two texts per row).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# The two data fields sit side by side in the sorted payload; their texts are put in there, so
# that a row's data are encoded once for its hash and its storage. (A JSON string cannot hold
# this text: its quotes would be escaped.)
_DATA_SLOT = '"postchange_data":null,"prechange_data":null'


def _payload(values: dict, prechange_text: str, postchange_text: str, keyed: bool = True) -> str:
    """The canonical text a row's hash covers."""
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
        "prechange_data": None,
        "postchange_data": None,
        "prev_hash": values["prev_hash"] or "",
    }
    if keyed:
        payload["key_id"] = values["key_id"]
        payload["algorithm"] = values["algorithm"]
    text = _CANONICAL.encode(payload)
    data = f'"postchange_data":{postchange_text},"prechange_data":{prechange_text}'
    return text.replace(_DATA_SLOT, data, 1)


def lock_head() -> AuditChainHead:
    """The chain's head, locked until the surrounding transaction ends."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head, _ = AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


@functools.cache
def _columns() -> tuple[models.Field, ...]:
    return tuple(ObjectChange._meta.concrete_fields)


def append(rows: list[ObjectChange]) -> list[ObjectChange]:
    """Chain and insert ``rows`` (new, unsaved instances) in order."""
    if not rows:
        return rows
    if any(row.pk is not None for row in rows):
        raise PermissionError("变更记录不可修改")
    values = [{f.name: getattr(row, f.attname) for f in _columns()} for row in rows]
    for value in values:
        if isinstance(value["request_id"], str):
            value["request_id"] = uuid.UUID(value["request_id"])
    append_rows(values)
    for row, sealed in zip(rows, values, strict=True):
        for name in ("id", "time", "prev_hash", "hash", "key_id", "algorithm"):
            setattr(row, name, sealed[name])
        row._state.adding = False
        row._state.db = router.db_for_write(ObjectChange)
    return rows


def _instance(row: dict) -> ObjectChange:
    """The saved instance of one row :func:`append_rows` wrote."""
    obj = ObjectChange(**{f.attname: row.get(f.name) for f in _columns()})
    obj._state.adding = False
    obj._state.db = router.db_for_write(ObjectChange)
    return obj


def append_rows(rows: list[dict]) -> None:
    """Chain and insert ``rows`` ({field name: value}, foreign keys as ids) in order: the one
    writer of the trail's rows.

    Each row gets its ``time`` (when it has none), ``prev_hash``, ``hash`` and ``id``; the rows
    go in by one ``executemany`` with ids reserved ahead, while the head stays locked.
    """
    if not rows:
        return
    key = keyring.current()
    algorithm = crypto.mac_algorithm()
    mac = _chain_mac(key.id, key.secret, algorithm)
    with transaction.atomic():
        head = lock_head()
        prev = head.last_hash
        now = timezone.now()
        columns = _columns()
        values = operator.itemgetter(*(f.name for f in columns))
        data = [i for i, f in enumerate(columns) if f.name in ("prechange_data", "postchange_data")]
        stored = []
        for row, pk in zip(rows, reserve_ids(ObjectChange, len(rows)), strict=True):
            row["id"] = pk
            row["time"] = row.get("time") or now
            row["prev_hash"] = prev
            row["key_id"] = key.id
            row["algorithm"] = algorithm
            texts = {n: _json_text(row[n]) for n in ("prechange_data", "postchange_data")}
            text = _payload(row, texts["prechange_data"], texts["postchange_data"])
            row["hash"] = prev = mac.hexdigest(text)
            # The data go in as the text just hashed (NULL for none), not encoded a second time.
            line = list(values(row))
            for i in data:
                name = columns[i].name
                line[i] = None if row[name] is None else texts[name]
            stored.append(line)
        insert_values(ObjectChange, columns, stored, encoded={"prechange_data", "postchange_data"})
        head.last_id = rows[-1]["id"]
        head.last_hash = prev
        head.save(update_fields=["last_id", "last_hash"])


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
        try:
            computed = entry_hash(values)
        except UnknownKey:
            problem = (
                f"无法校验：密钥 {values['key_id']} 未配置"
                if values["key_id"]
                else "未以密钥封存：记录没有密钥编号"
            )
            return ChainReport(
                count,
                ChainBreak(values["id"], values["time"], problem, "", values["hash"]),
            )
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
