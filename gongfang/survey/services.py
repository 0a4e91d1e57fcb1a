"""Every write of a survey batch's life (测绘 → 三方确认 → 签字 → 入账 → 撤销).

::

    surveying ──submit──▶ confirming ──all three confirm every item──▶ signing ──last signature──▶ applied
        ▲                    │ dispute                                   │ dispute              │ revert
        └──submit── returned ◀┴───────────────────────────────────────────┘                      ▼
                                                                                              reverted

* The **surveyor** (an account listed on the batch) uploads a DXF/IFC drawing per floor; it is
  filed as a document of category 测绘 on the floor (一房一档), read by ``survey.drawings`` and
  reconciled with the floor's registered rooms (``survey.reconcile``) at the tolerance of the
  standards' parameter “R9 面积核对容差”. A drawing with errors yields no items.
* The **unit** (the admin of an item's organization), the **surveyor** and the **bureau** (of the
  batch's region) each confirm or dispute items with a reason. A dispute sends the batch back to
  the surveyor (re-upload, or submit again with a note); the disputed items are open again for
  every party when it is resubmitted.
* When every item is confirmed by all three, each side's principal signs (password + TOTP,
  ``workflow.signing.confirm_identity``); the signature keeps the content hash
  (``framework.crypto.digest`` of the canonical batch content). The last signature applies the
  batch to the registry as one change (one request id), revertible while nothing it wrote has
  changed since.

Each service runs in one transaction, locks the batch, checks the caller's version (form field,
``If-Match``), writes the change log and an audit event ``survey.<action>``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from ..accounts.models import User
from ..accounts.roles import Role
from ..framework import clock, crypto
from ..framework.changelog import (
    record_change,
    record_changes,
    record_event,
    record_events,
    serialize_object,
)
from ..framework.context import RequestContext, current_context, reset_context, set_context
from ..framework.models import ObjectChange
from ..framework.services import ManyToManyService, register
from ..framework.versions import check_version
from ..registry.choices import RoomCategory, RoomStatus
from ..registry.models import Building, Floor, Organization, Room
from .models import (
    BatchState,
    Decision,
    ItemKind,
    Party,
    SurveyBatch,
    SurveyConfirmation,
    SurveyDrawing,
    SurveyItem,
    SurveySignature,
)

NOT_IN_SCOPE = "该测绘批次不存在或超出您的管辖范围。"
EDITABLE_STATES = (BatchState.SURVEYING, BatchState.RETURNED)
CENT = Decimal("0.01")
DOCUMENT_CATEGORY = "survey"
# Fields of a room an applied batch writes (and a revert puts back).
APPLIED_FIELDS = ("geometry", "usable_area", "surveyed_area", "surveyed_on")

EVENT_LABELS = {
    "survey.upload": "上传测绘图纸",
    "survey.configure": "确认测绘图纸图层",
    "survey.submit": "提交三方确认",
    "survey.confirm": "三方确认：确认",
    "survey.dispute": "三方确认：提出异议",
    "survey.sign": "测绘成果签字确认",
    "survey.sign_failed": "测绘成果签字失败",
    "survey.apply": "测绘成果入账",
    "survey.missing_room": "测绘图纸中缺少该房间",
    "survey.revert": "撤销测绘成果入账",
}


# Parties ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Role_:
    """One side an account acts for on a batch (a unit account: for its organization)."""

    party: str
    organization: Organization | None = None

    @property
    def label(self) -> str:
        if self.organization is not None:
            return f"{Party(self.party).label}（{self.organization.name}）"
        return Party(self.party).label


def is_surveyor_of(user, batch: SurveyBatch) -> bool:
    return user.has_role(Role.SURVEYOR) and batch.surveyors.filter(pk=user.pk).exists()


def is_bureau_of(user, batch: SurveyBatch) -> bool:
    region = getattr(user, "scope_region", None)
    return (
        user.has_role(Role.BUREAU_ADMIN)
        and region is not None
        and batch.region.path.startswith(region.path)
    )


def unit_items(user, batch: SurveyBatch) -> models.QuerySet[SurveyItem]:
    """The items a unit account answers for: those of its organization's subtree."""
    org = getattr(user, "scope_organization", None)
    if not user.has_role(Role.UNIT_ADMIN) or org is None:
        return SurveyItem.objects.none()
    return batch.items.filter(organization__path__startswith=org.path)


def roles_of(user, batch: SurveyBatch) -> list[Role_]:
    """The sides ``user`` may act for on ``batch``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    roles = []
    if is_surveyor_of(user, batch):
        roles.append(Role_(Party.SURVEYOR))
    if is_bureau_of(user, batch):
        roles.append(Role_(Party.BUREAU))
    if unit_items(user, batch).exists():
        roles.append(Role_(Party.UNIT, user.scope_organization))
    return roles


def party_items(user, batch: SurveyBatch, party: str) -> models.QuerySet[SurveyItem]:
    """The items ``user`` decides on as ``party``."""
    if party == Party.UNIT:
        return unit_items(user, batch)
    if party == Party.SURVEYOR and is_surveyor_of(user, batch):
        return batch.items.all()
    if party == Party.BUREAU and is_bureau_of(user, batch):
        return batch.items.all()
    return SurveyItem.objects.none()


def _role(user, batch: SurveyBatch, party: str) -> Role_:
    for role in roles_of(user, batch):
        if role.party == party:
            return role
    raise PermissionDenied(f"您不能以“{Party(party).label}”的身份办理该测绘批次。")


# Tolerance ------------------------------------------------------------------------------------
def tolerance_for(region) -> tuple[Decimal, str]:
    """R9's area tolerance (a fraction) in force in ``region`` today, and where it comes from."""
    from ..standards.selectors import ruleset_for

    rules = ruleset_for(region.path, clock.today())
    value = rules.param("r9_area_tolerance")
    source = rules.source_of("r9_area_tolerance")
    text = f"{source[1]}（{source[2]}）" if source and source[2] else (source[1] if source else "")
    return Decimal(value), f"R9 面积核对容差 {Decimal(value) * 100:.1f}% · {text}"[:200]


# The batch itself (generic pages and API) --------------------------------------------------------
@register
class SurveyBatchService(ManyToManyService):
    """The bureau plans a batch: 三明确, dates, the surveyor accounts, the buildings."""

    model = SurveyBatch
    many_to_many = ("buildings", "surveyors")

    def prepare(self, *, actor, instance: SurveyBatch) -> None:
        if instance.pk is None and instance.region_id:
            instance.tolerance, instance.tolerance_source = tolerance_for(instance.region)

    def validate(self, *, actor, instance: SurveyBatch, before: dict | None) -> None:
        if not actor.has_role(Role.BUREAU_ADMIN):
            raise PermissionDenied("测绘批次由机关事务管理局安排。")
        if before is not None and before["state"] not in EDITABLE_STATES:
            raise ValidationError(
                f"测绘批次已{instance.get_state_display()}，不能再修改计划；如有问题请在确认中提出异议。"
            )
        if (
            instance.planned_end
            and instance.planned_start
            and (instance.planned_end < instance.planned_start)
        ):
            raise ValidationError({"planned_end": "计划完成日期不能早于计划开始日期。"})

    def _set_related(self, batch: SurveyBatch, related: dict[str, Any]) -> None:
        errors: dict[str, list[str]] = {}
        if "buildings" in related:
            buildings = list(related["buildings"] or [])
            if not buildings:
                errors["buildings"] = ["请至少选择一座测绘楼座。"]
            visible = set(
                Building.objects.filter(
                    pk__in=[b.pk for b in buildings],
                    compound__region__path__startswith=batch.region.path,
                ).values_list("pk", flat=True)
            )
            outside = [b for b in buildings if b.pk not in visible]
            if outside:
                names = "、".join(str(b) for b in outside)
                errors["buildings"] = [f"楼座不在批次的区划“{batch.region}”内：{names}。"]
        if "surveyors" in related:
            wrong = [
                u
                for u in related["surveyors"] or []
                if not u.has_role(Role.SURVEYOR) or not u.is_active
            ]
            if wrong:
                names = "、".join(u.name or u.username for u in wrong)
                errors["surveyors"] = [f"只能指定启用中的测绘单位账号：{names}。"]
        if errors:
            raise ValidationError(errors)
        for name in self.many_to_many:
            if name in related:
                getattr(batch, name).set(related[name] or [])


def surveyor_candidates() -> models.QuerySet[User]:
    """Accounts a batch may be assigned to."""
    users = User.objects.filter(is_active=True).only("pk", "roles")
    ids = [u.pk for u in users if u.has_role(Role.SURVEYOR)]
    return User.objects.filter(pk__in=ids).order_by("username")


# Locking and saving -------------------------------------------------------------------------------
def _lock(actor, batch: SurveyBatch, expected_version: int | None = None) -> SurveyBatch:
    current = SurveyBatch.objects.select_for_update().filter(pk=batch.pk).first()
    if (
        current is None
        or not SurveyBatch.objects.restrict(actor, "view").filter(pk=batch.pk).exists()
    ):
        raise PermissionDenied(NOT_IN_SCOPE)
    check_version(current, expected_version)
    return current


def _save(actor, batch: SurveyBatch, before: dict, fields: list[str]) -> None:
    batch.version += 1
    batch.save(update_fields=[*fields, "version", "updated_at"])
    record_change(actor=actor, instance=batch, action=ObjectChange.Action.UPDATE, before=before)


def _copy(target: SurveyBatch, source: SurveyBatch) -> SurveyBatch:
    if target is not source:
        target.__dict__.update(
            {k: v for k, v in source.__dict__.items() if not k.startswith("_") or k == "_state"}
        )
    return target


def _state_error(batch: SurveyBatch, verb: str) -> ValidationError:
    return ValidationError(f"测绘批次“{batch}”当前为“{batch.get_state_display()}”，不能{verb}。")


# Drawings ---------------------------------------------------------------------------------------
def _require_surveyor(actor, batch: SurveyBatch) -> None:
    if not is_surveyor_of(actor, batch):
        raise PermissionDenied("只有本批次的测绘单位账号可以上传和调整图纸。")
    if not actor.has_model_perm(SurveyDrawing, "add"):
        raise PermissionDenied("您没有上传测绘图纸的权限。")


def _read(data: bytes, filename: str, *, units, outline_layers, label_layers, storey):
    from . import drawings

    return drawings.read_drawing(
        data,
        filename=filename,
        units=units,
        outline_layers=outline_layers or None,
        label_layers=label_layers or None,
        storey=storey or None,
    )


def upload_drawing(
    *,
    actor,
    batch: SurveyBatch,
    floor: Floor,
    file,
    units: float | None = None,
    expected_version: int | None = None,
) -> SurveyDrawing:
    """File a floor's drawing on the floor (category 测绘), read it and reconcile its rooms;
    a second upload for the floor replaces the first (a new version of the same document)."""
    from ..archives.services import add_document, read_upload

    data, filename = read_upload(file)
    filename = filename or getattr(file, "name", "") or "图纸"
    with transaction.atomic():
        batch = _lock(actor, batch, expected_version)
        _require_surveyor(actor, batch)
        if batch.state not in EDITABLE_STATES:
            raise _state_error(batch, "上传图纸")
        if not batch.buildings.filter(pk=floor.building_id).exists():
            raise ValidationError({"floor": f"楼层“{floor}”不属于本批次的测绘楼座。"})
        if filename.rsplit(".", 1)[-1].lower() not in ("dxf", "ifc"):
            raise ValidationError({"file": "文件：只接受 DXF 或 IFC 格式的图纸。"})
        drawing = SurveyDrawing.objects.filter(batch=batch, floor=floor).first()
        document = add_document(
            user=actor,
            subject=floor,
            category=DOCUMENT_CATEGORY,
            file=_named(data, filename),
            title=f"{floor} 测绘图纸（{batch.name}）",
            source=batch.company,
            supersedes=drawing.document if drawing and drawing.document_id else None,
        )
        result = _read(
            data, filename, units=units, outline_layers=None, label_layers=None, storey=None
        )
        before = serialize_object(drawing) if drawing else None
        drawing = drawing or SurveyDrawing(batch=batch, floor=floor)
        drawing.document = document
        drawing.filename = filename
        drawing.uploaded_by = actor
        drawing.storey = ""
        _take_result(drawing, result)
        drawing.save()
        record_change(
            actor=actor,
            instance=drawing,
            action=ObjectChange.Action.UPDATE if before else ObjectChange.Action.CREATE,
            before=before,
        )
        _reconcile(batch, drawing, result)
        record_event(
            actor=actor,
            event="survey.upload",
            obj=batch,
            data={"floor": str(floor), "file": filename, "rooms": drawing.room_count},
        )
        _touch(actor, batch)
    return drawing


def _named(data: bytes, name: str):
    from django.core.files.base import ContentFile

    return ContentFile(data, name=name)


def configure_drawing(
    *,
    actor,
    drawing: SurveyDrawing,
    units: float | None,
    outline_layers: list[str],
    label_layers: list[str],
    storey: str = "",
) -> SurveyDrawing:
    """Read the drawing again with the layers and units the surveyor confirmed."""
    with transaction.atomic():
        batch = _lock(actor, drawing.batch)
        _require_surveyor(actor, batch)
        if batch.state not in EDITABLE_STATES:
            raise _state_error(batch, "调整图纸")
        drawing = SurveyDrawing.objects.select_for_update().get(pk=drawing.pk)
        if drawing.document is None:
            raise ValidationError("图纸文件已不存在，请重新上传。")
        if units is not None and not (0 < units <= 1000):
            raise ValidationError({"units": "图纸单位须大于 0（每个图纸单位合多少米）。"})
        with drawing.document.file.open("rb") as handle:
            data = handle.read()
        result = _read(
            data,
            drawing.filename,
            units=units,
            outline_layers=outline_layers,
            label_layers=label_layers,
            storey=storey,
        )
        before = serialize_object(drawing)
        drawing.storey = storey or ""
        _take_result(drawing, result)
        drawing.save()
        record_change(
            actor=actor, instance=drawing, action=ObjectChange.Action.UPDATE, before=before
        )
        _reconcile(batch, drawing, result)
        record_event(
            actor=actor,
            event="survey.configure",
            obj=batch,
            data={"floor": str(drawing.floor), "units": units, "outline_layers": outline_layers},
        )
        _touch(actor, batch)
    return drawing


def _take_result(drawing: SurveyDrawing, result) -> None:
    drawing.format = result.format or ""
    drawing.units = result.units
    drawing.outline_layers = list(result.outline_layers)
    drawing.label_layers = list(result.label_layers)
    drawing.result = result.to_json()
    drawing.room_count = len(result.rooms)
    drawing.error_count = sum(1 for p in result.problems if p.severity == "error")
    drawing.warning_count = sum(1 for p in result.problems if p.severity != "error")


def _touch(actor, batch: SurveyBatch) -> None:
    """A drawing, a decision or a signature moves the batch's version (a form based on the
    batch before it is refused); its event says what changed, so no change-log row of its own."""
    batch.version += 1
    batch.save(update_fields=["version", "updated_at"])


def _area(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def _reconcile(batch: SurveyBatch, drawing: SurveyDrawing, result) -> list[SurveyItem]:
    """The floor's items again from ``result`` (none when the drawing cannot be used)."""
    from .reconcile import RegisteredRoom, reconcile

    drawing.items.all().delete()
    if not result.ok:
        return []
    rooms = {
        r.pk: r
        for r in Room.objects.filter(floor=drawing.floor)
        .select_related("organization", "floor__building__compound")
        .prefetch_related("occupancies__person")
    }
    registered = [
        RegisteredRoom(
            id=r.pk, number=r.number, name=r.name, usable_area=r.usable_area, geometry=r.geometry
        )
        for r in rooms.values()
    ]
    owner = drawing.floor.building.compound.owner_org
    confirming = confirming_unit_finder()
    items = []
    for found in reconcile(result.rooms, registered, tolerance=batch.tolerance or Decimal("0.03")):
        room = rooms.get(found.room_id) if found.room_id else None
        drawn = found.drawn
        items.append(
            SurveyItem(
                batch=batch,
                drawing=drawing,
                floor=drawing.floor,
                kind=found.kind,
                room=room,
                room_version=room.version if room else None,
                organization=confirming(room.organization if room else owner),
                number=(drawn.number if drawn else "") or (room.number if room else ""),
                name=(drawn.name if drawn and drawn.name else (room.name if room else "")),
                registered_area=found.registered_area,
                drawn_area=_area(found.drawn_area),
                stated_area=_area(drawn.stated_area) if drawn else None,
                difference=_area(found.difference),
                ratio=None
                if found.ratio is None
                else Decimal(str(found.ratio)).quantize(Decimal("0.0001")),
                beyond_tolerance=found.beyond_tolerance,
                matched_by=found.matched_by or "",
                geometry=drawn.geometry if drawn else None,
                occupants=_occupants(room),
                use=_use(room),
            )
        )
    return SurveyItem.objects.bulk_create(items)


def confirming_unit_finder():
    """The organization that confirms a room for the unit side: the room's organization when
    it (or a unit above it) has an active unit account; None otherwise — a unit not on the
    system is represented by the bureau, whose confirmation covers its rooms."""
    paths = [
        u.scope_organization.path
        for u in User.objects.filter(is_active=True, scope_organization__isnull=False)
        .select_related("scope_organization")
        .only("roles", "scope_organization__path")
        if u.has_role(Role.UNIT_ADMIN)
    ]

    def confirming(org: Organization | None) -> Organization | None:
        if org is None or not any(org.path.startswith(p) for p in paths):
            return None
        return org

    return confirming


def _occupants(room: Room | None) -> str:
    if room is None:
        return ""
    names = [o.person.name for o in room.occupancies.all() if getattr(o, "end_date", None) is None]
    return "、".join(names)[:300]


def _use(room: Room | None) -> str:
    if room is None:
        return ""
    return (room.subtype or room.get_category_display())[:60]


# Submit, confirm, dispute -------------------------------------------------------------------------
def submit(*, actor, batch: SurveyBatch, expected_version: int | None = None) -> SurveyBatch:
    """The surveyor hands the reconciled floors over for three-party confirmation; the items
    disputed before are open again for every party."""
    caller = batch
    with transaction.atomic():
        batch = _lock(actor, batch, expected_version)
        _require_surveyor(actor, batch)
        if batch.state not in EDITABLE_STATES:
            raise _state_error(batch, "提交确认")
        drawings = list(batch.drawings.select_related("floor__building"))
        if not drawings:
            raise ValidationError("尚未上传任何楼层的图纸，不能提交确认。")
        bad = [d for d in drawings if not d.usable]
        if bad:
            names = "、".join(str(d.floor) for d in bad)
            raise ValidationError(
                f"以下楼层的图纸有错误或未识别出房间，请修正后重新上传：{names}。"
            )
        if not batch.items.exists():
            raise ValidationError("图纸中没有可核对的房间，不能提交确认。")
        disputed = batch.items.filter(
            models.Q(unit_decision=Decision.DISPUTED)
            | models.Q(surveyor_decision=Decision.DISPUTED)
            | models.Q(bureau_decision=Decision.DISPUTED)
        )
        reopened = disputed.update(
            unit_decision=Decision.PENDING,
            surveyor_decision=Decision.PENDING,
            bureau_decision=Decision.PENDING,
        )
        before = serialize_object(batch)
        batch.state = BatchState.CONFIRMING
        batch.submitted_at = timezone.now()
        batch.content_hash = ""
        _save(actor, batch, before, ["state", "submitted_at", "content_hash"])
        record_event(
            actor=actor,
            event="survey.submit",
            obj=batch,
            data={"count": batch.items.count(), "reopened": reopened},
        )
        _advance(actor, batch)
    return _copy(caller, batch)


def decide(
    *,
    actor,
    batch: SurveyBatch,
    party: str,
    decision: str,
    items: list[SurveyItem] | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> SurveyBatch:
    """``actor`` as ``party`` confirms or disputes ``items`` (None: every item of his that still
    waits for his decision). A dispute needs a reason and sends the batch back to the surveyor;
    a dispute at the signing stage voids the signatures given."""
    caller = batch
    reason = (reason or "").strip()
    if decision not in (Decision.CONFIRMED, Decision.DISPUTED):
        raise ValidationError({"decision": "请选择确认或提出异议。"})
    if decision == Decision.DISPUTED and not reason:
        raise ValidationError({"reason": "提出异议须填写理由。"})
    with transaction.atomic():
        batch = _lock(actor, batch, expected_version)
        role = _role(actor, batch, party)
        allowed = (BatchState.CONFIRMING, BatchState.SIGNING)
        if decision == Decision.CONFIRMED:
            allowed = (BatchState.CONFIRMING,)
        if batch.state not in allowed:
            raise _state_error(batch, "确认" if decision == Decision.CONFIRMED else "提出异议")
        mine = party_items(actor, batch, party)
        field = f"{party}_decision"
        if items is None:
            chosen = list(mine.exclude(**{field: decision}))
        else:
            ids = {i.pk for i in items}
            chosen = list(mine.filter(pk__in=ids))
            if len(chosen) != len(ids):
                raise ValidationError({"items": "所选房间不属于本批次或不由您确认。"})
        if not chosen:
            raise ValidationError({"items": "没有需要您确认的房间。"})
        for item in chosen:
            setattr(item, field, decision)
            if decision == Decision.DISPUTED:
                item.dispute_reason = f"{role.label}：{reason}"[:300]
        SurveyItem.objects.bulk_update(chosen, [field, "dispute_reason"])
        confirmation = SurveyConfirmation.objects.create(
            batch=batch,
            party=party,
            organization=role.organization,
            decision=decision,
            reason=reason[:300],
            actor=actor,
            item_count=len(chosen),
        )
        confirmation.items.set(chosen)
        event = "survey.confirm" if decision == Decision.CONFIRMED else "survey.dispute"
        record_event(
            actor=actor,
            event=event,
            obj=batch,
            data={"party": role.label, "rooms": [str(i) for i in chosen][:50], "reason": reason},
        )
        before = serialize_object(batch)
        if decision == Decision.DISPUTED:
            batch.signatures.filter(voided=False).update(voided=True)
            batch.state = BatchState.RETURNED
            batch.content_hash = ""
            _save(actor, batch, before, ["state", "content_hash"])
        else:
            _touch(actor, batch)
            _advance(actor, batch)
    return _copy(caller, batch)


def _advance(actor, batch: SurveyBatch) -> None:
    """Confirming → signing once every item is confirmed by every party it needs."""
    if batch.state != BatchState.CONFIRMING or open_items(batch).exists():
        return
    before = serialize_object(batch)
    batch.state = BatchState.SIGNING
    batch.hash_algorithm = crypto.digest_algorithm()
    batch.content_hash = crypto.digest(canonical_content(batch), algorithm=batch.hash_algorithm)
    _save(actor, batch, before, ["state", "content_hash", "hash_algorithm"])


def open_items(batch: SurveyBatch) -> models.QuerySet[SurveyItem]:
    """Items some party has not confirmed yet (an item without organization needs no unit)."""
    confirmed = Decision.CONFIRMED
    return batch.items.exclude(
        models.Q(surveyor_decision=confirmed, bureau_decision=confirmed)
        & (models.Q(unit_decision=confirmed) | models.Q(organization__isnull=True))
    )


def canonical_content(batch: SurveyBatch) -> bytes:
    """What the signatures cover: the batch's plan and every item as confirmed (canonical
    JSON: sorted keys, no spaces)."""
    items = [
        {
            "floor": i.floor_id,
            "kind": i.kind,
            "room": i.room_id,
            "number": i.number,
            "name": i.name,
            "registered_area": i.registered_area,
            "drawn_area": i.drawn_area,
            "geometry": i.geometry,
            "organization": i.organization_id,
            "occupants": i.occupants,
            "use": i.use,
        }
        for i in batch.items.order_by("floor_id", "number", "id")
    ]
    content = {
        "batch": batch.pk,
        "name": batch.name,
        "company": batch.company,
        "region": batch.region_id,
        "buildings": sorted(batch.buildings.values_list("pk", flat=True)),
        "tolerance": batch.tolerance,
        "items": items,
    }
    text = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return text.encode()


# Signatures and apply -----------------------------------------------------------------------------
def required_signatures(batch: SurveyBatch) -> list[tuple[str, int | None]]:
    """(party, organization id) of every signature the batch needs: the surveyor, the bureau
    and each organization whose rooms it holds."""
    orgs = sorted(
        set(batch.items.exclude(organization=None).values_list("organization_id", flat=True))
    )
    return [
        (Party.SURVEYOR, None),
        (Party.BUREAU, None),
        *[(Party.UNIT, org) for org in orgs],
    ]


def signed(batch: SurveyBatch) -> set[tuple[str, int | None]]:
    return set(batch.signatures.filter(voided=False).values_list("party", "organization_id"))


def pending_signatures(user, batch: SurveyBatch) -> list[tuple[str, int | None]]:
    """The signatures ``user`` may still give on ``batch``."""
    if batch.state != BatchState.SIGNING:
        return []
    done = signed(batch)
    out = []
    for party, org in required_signatures(batch):
        if (party, org) in done:
            continue
        if party == Party.UNIT:
            if org in set(unit_items(user, batch).values_list("organization_id", flat=True)):
                out.append((party, org))
        elif party_items(user, batch, party).exists():
            out.append((party, org))
    return out


def sign(
    *,
    actor,
    batch: SurveyBatch,
    party: str,
    password: str,
    otp: str,
    expected_version: int | None = None,
) -> SurveyBatch:
    """The principal of ``party`` signs after confirming identity; the last signature applies
    the batch to the registry (refused, nothing signed, when the registry changed meanwhile)."""
    from ..workflow.signing import confirm_identity

    caller = batch
    if not roles_of(actor, batch) or party not in {r.party for r in roles_of(actor, batch)}:
        raise PermissionDenied(f"您不能以“{Party(party).label}”的身份签字。")
    try:
        method = confirm_identity(user=actor, password=password, otp=otp)
    except ValidationError:
        record_event(
            actor=actor,
            event="survey.sign_failed",
            obj=batch,
            result=ObjectChange.Result.FAILURE,
            data={"party": Party(party).label},
        )
        raise
    with transaction.atomic():
        batch = _lock(actor, batch, expected_version)
        if batch.state != BatchState.SIGNING:
            raise _state_error(batch, "签字")
        mine = [p for p in pending_signatures(actor, batch) if p[0] == party]
        if not mine:
            raise ValidationError("您已签字，或没有需要您签字的内容。")
        content = canonical_content(batch)
        digest = crypto.digest(content, algorithm=batch.hash_algorithm or None)
        if digest != batch.content_hash:
            raise ValidationError("确认后的内容已发生变化，不能签字；请退回测绘单位重新确认。")
        now = timezone.now()
        for _, org in mine:
            SurveySignature.objects.create(
                batch=batch,
                party=party,
                organization_id=org,
                signer=actor,
                signer_name=actor.name or actor.username,
                signed_at=now,
                method=method,
                content_hash=digest,
                algorithm=batch.hash_algorithm or crypto.digest_algorithm(),
            )
        record_event(
            actor=actor,
            event="survey.sign",
            obj=batch,
            data={"party": Party(party).label, "hash": digest, "method": method},
        )
        _touch(actor, batch)
        if set(required_signatures(batch)) <= signed(batch):
            _apply(actor, batch)
    return _copy(caller, batch)


def _apply(actor, batch: SurveyBatch) -> None:
    """Write every item to the registry under one request id (the batch's ``apply_id``)."""
    apply_id = uuid.uuid4()
    outer = current_context()
    token = set_context(RequestContext(request_id=apply_id, remote_addr=outer.remote_addr))
    try:
        today = clock.today()
        items = list(batch.items.select_related("floor").order_by("floor_id", "number", "id"))
        ids = [i.room_id for i in items if i.room_id]
        rooms = Room.objects.select_for_update().in_bulk(ids)
        stale = [
            f"房间“{rooms[i.room_id]}”在核对后又被修改，请测绘单位重新上传该楼层图纸核对。"
            for i in items
            if i.kind == ItemKind.MATCHED
            and i.room_id in rooms
            and rooms[i.room_id].version != i.room_version
        ]
        gone = [
            f"房间“{i}”已被删除。"
            for i in items
            if i.kind != ItemKind.NEW and i.room_id not in rooms
        ]
        taken = {
            (floor, number)
            for floor, number in Room.objects.filter(
                floor__in={i.floor_id for i in items if i.kind == ItemKind.NEW}
            ).values_list("floor_id", "number")
        }
        clash = [
            f"楼层“{i.floor}”已有房间号 {i.number}，新增房间无法登记。"
            for i in items
            if i.kind == ItemKind.NEW and (i.floor_id, i.number) in taken
        ]
        nameless = [
            f"楼层“{i.floor}”的新增房间没有房间号。"
            for i in items
            if i.kind == ItemKind.NEW and not i.number
        ]
        problems = stale + gone + clash + nameless
        if problems:
            raise ValidationError(["测绘成果不能入账：", *problems[:20]])
        log: list[tuple[models.Model, str, dict | None]] = []
        updated = []
        for item in items:
            if item.kind != ItemKind.MATCHED:
                continue
            room = rooms[item.room_id]
            before = serialize_object(room)
            room.geometry = item.geometry
            room.usable_area = item.drawn_area
            room.surveyed_area = item.drawn_area
            room.surveyed_on = today
            if room.building_area is not None and room.usable_area > room.building_area:
                raise ValidationError(
                    f"房间“{room}”的测绘面积 {room.usable_area} 平方米大于其建筑面积 "
                    f"{room.building_area} 平方米，不能入账；请先核实建筑面积。"
                )
            room.version += 1
            updated.append(room)
            log.append((room, ObjectChange.Action.UPDATE, before))
        Room.objects.bulk_update(updated, [*APPLIED_FIELDS, "version", "updated_at"])
        for item in items:
            if item.kind != ItemKind.NEW:
                continue
            room = Room(
                floor=item.floor,
                number=item.number,
                name=item.name,
                category=RoomCategory.OTHER,
                usable_area=item.drawn_area,
                surveyed_area=item.drawn_area,
                surveyed_on=today,
                geometry=item.geometry,
                organization_id=None,
                status=RoomStatus.IDLE,
                status_since=today,
            )
            room.full_clean()
            room.save()
            item.room = room
            item.save(update_fields=["room"])
            log.append((room, ObjectChange.Action.CREATE, None))
        record_changes(actor=actor, changes=log)
        missing = [rooms[i.room_id] for i in items if i.kind == ItemKind.MISSING]
        record_events(
            actor=actor,
            entries=[
                ("survey.missing_room", room, {"batch": batch.name, "room": str(room)})
                for room in missing
            ],
        )
        before = serialize_object(batch)
        batch.state = BatchState.APPLIED
        batch.apply_id = apply_id
        batch.applied_at = timezone.now()
        _save(actor, batch, before, ["state", "apply_id", "applied_at"])
        record_event(
            actor=actor,
            event="survey.apply",
            obj=batch,
            data={
                "batch": str(apply_id),
                "updated": len(updated),
                "created": len(log) - len(updated),
                "missing": len(missing),
            },
        )
        _recheck([room for room, _, _ in log])
    finally:
        reset_context(token)


def _recheck(rooms: list[Room]) -> None:
    """Compliance follows the new areas (R1, R9 …) of the rooms written."""
    if not rooms:
        return
    from ..compliance.loader import Selection
    from ..compliance.services import check

    buildings = Floor.objects.filter(pk__in={r.floor_id for r in rooms}).values_list(
        "building_id", flat=True
    )
    check(Selection.of(rooms=[r.pk for r in rooms], buildings=set(buildings)))


def batch_changes(batch: SurveyBatch) -> models.QuerySet[ObjectChange]:
    if batch.apply_id is None:
        return ObjectChange.objects.none()
    from django.contrib.contenttypes.models import ContentType

    return ObjectChange.objects.filter(
        request_id=batch.apply_id,
        changed_object_type=ContentType.objects.get_for_model(Room),
        action__in=[ObjectChange.Action.CREATE, ObjectChange.Action.UPDATE],
    ).order_by("id")


def revert_conflicts(batch: SurveyBatch) -> list[str]:
    """What changed since the apply, each as a sentence naming the room and who."""
    changes = list(
        batch_changes(batch).values_list("id", "changed_object_type_id", "changed_object_id")
    )
    if not changes:
        return []
    mine = {(t, o) for _, t, o in changes}
    later = (
        ObjectChange.objects.filter(
            id__gt=changes[-1][0], changed_object_type_id__in={t for _, t, _ in changes}
        )
        .exclude(action=ObjectChange.Action.EVENT)
        .exclude(request_id=batch.apply_id)
        .order_by("id")
        .values_list(
            "changed_object_type_id", "changed_object_id", "object_repr", "user_name", "time"
        )
    )
    out = []
    for type_id, object_id, text, user_name, time in later:
        if (type_id, object_id) in mine:
            when = timezone.localtime(time).strftime("%Y-%m-%d %H:%M")
            out.append(f"“{text}”在入账后已被 {user_name} 于 {when} 修改。")
    return out


def revert(*, actor, batch: SurveyBatch, expected_version: int | None = None) -> SurveyBatch:
    """Undo an applied batch as a whole (the bureau): restore the rooms it changed, delete the
    rooms it created. Refused, naming the rooms, when any of them changed since."""
    caller = batch
    if not is_bureau_of(actor, batch) or not actor.has_model_perm(SurveyBatch, "change"):
        raise PermissionDenied("只有本区划的机关事务管理员可以撤销测绘成果入账。")
    token = set_context(RequestContext(request_id=uuid.uuid4()))
    try:
        with transaction.atomic():
            batch = _lock(actor, batch, expected_version)
            if batch.state != BatchState.APPLIED:
                raise _state_error(batch, "撤销")
            conflicts = revert_conflicts(batch)
            if conflicts:
                raise ValidationError(["以下房间在入账后又有变动，不能整批撤销：", *conflicts[:50]])
            log = _revert_writes(batch)
            record_changes(actor=actor, changes=log)
            before = serialize_object(batch)
            batch.state = BatchState.REVERTED
            batch.reverted_at = timezone.now()
            _save(actor, batch, before, ["state", "reverted_at"])
            record_event(
                actor=actor,
                event="survey.revert",
                obj=batch,
                data={"batch": str(batch.apply_id), "rooms": len(log)},
            )
            _recheck([room for room, action, _ in log if action != ObjectChange.Action.DELETE])
    finally:
        reset_context(token)
    return _copy(caller, batch)


def _revert_writes(batch: SurveyBatch) -> list[tuple[models.Model, str, dict | None]]:
    from django.db.models.deletion import ProtectedError, RestrictedError

    from ..framework.services import protected_message

    created: list[int] = []
    states: dict[int, dict] = {}
    for change in batch_changes(batch):
        if change.action == ObjectChange.Action.CREATE:
            created.append(change.changed_object_id)
        else:
            states.setdefault(change.changed_object_id, change.prechange_data)
    log: list[tuple[models.Model, str, dict | None]] = []
    rooms = Room.objects.select_for_update().in_bulk(list(states))
    for pk, state in states.items():
        room = rooms[pk]
        before = serialize_object(room)
        for name in APPLIED_FIELDS:
            field = Room._meta.get_field(name)
            setattr(room, field.attname, field.to_python(state.get(name)))
        room.version += 1
        log.append((room, ObjectChange.Action.UPDATE, before))
    Room.objects.bulk_update(list(rooms.values()), [*APPLIED_FIELDS, "version", "updated_at"])
    doomed = list(Room.objects.filter(pk__in=created))
    befores = [(room, serialize_object(room)) for room in doomed]
    SurveyItem.objects.filter(room__in=doomed).update(room=None)
    try:
        _, deleted = Room.objects.filter(pk__in=created).delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(protected_message(doomed[0], exc)) from exc
    extra = {
        k
        for k, n in deleted.items()
        if n and k != "registry.Room" and not k.startswith("compliance.")
    }
    if extra:
        raise ValidationError("入账时新增的房间已登记了其他数据（如使用人），不能整批撤销。")
    log += [(room, ObjectChange.Action.DELETE, before) for room, before in befores]
    return log
