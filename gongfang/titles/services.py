"""Services of titles and use certificates: every write, each in one transaction.

Titles are written through their :class:`TitleService` (the generic pages, the API, and the
title-filing case's effect). Use certificates are issued and revoked only here: issuing is a
bureau's act (the rooms must all be used by the organization, none already certified), revoking
is the bureau's, or automatic when a certified room moves (``receivers``).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..accounts.roles import Role
from ..framework import clock
from ..framework.changelog import record_change, record_event, serialize_object
from ..framework.models import ObjectChange
from ..framework.services import ObjectService, register, service_for
from ..registry.choices import RoomCategory, RoomStatus
from ..registry.models import Building, Organization, Room
from .choices import BUILDING_TITLE_STATUS, CertificateState
from .models import CertifiedRoom, Title, UseCertificate

# Rooms that cannot be certified for use, and whose certificate ends when they come to it: not
# in use by their organization (vacated and idle, sealed, awaiting disposal).
UNCERTIFIABLE_STATUSES = frozenset(
    {RoomStatus.IDLE, RoomStatus.SEALED, RoomStatus.PENDING_DISPOSAL}
)


@register
class TitleService(ObjectService):
    model = Title

    def prepare(self, *, actor, instance: Title) -> None:
        target = instance.target
        if instance.building_id:
            instance.region_id = instance.building.compound.region_id
        elif target is not None:
            instance.region_id = target.region_id
        instance.certificate_number = (instance.certificate_number or "").strip()

    def after_save(self, *, actor, instance: Title, before: dict | None) -> list[str]:
        """A building's title status (registry) follows its title."""
        if not instance.building_id:
            return []
        status = BUILDING_TITLE_STATUS[instance.kind]
        building = Building.objects.get(pk=instance.building_id)
        if building.title_status == status:
            return []
        service_for(Building).update(actor=actor, instance=building, data={"title_status": status})
        return [f"楼座“{building}”的权属状态已随之改为“{building.get_title_status_display()}”。"]


def _certificate_prefix(region) -> str:
    return f"{region.name[:1]}机管房证"


def _next_number(region, year: int) -> str:
    # The workflow's number series (one counter row per prefix and year, raised under lock).
    from ..workflow.numbers import format_number, take_number

    prefix = _certificate_prefix(region)
    return format_number(prefix, year, take_number(prefix=prefix, year=year))


def can_issue(user) -> bool:
    """Only a bureau issues (and revokes) use certificates."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_role(Role.BUREAU_ADMIN)
        and user.has_model_perm(UseCertificate, "add")
    )


def _room_order(room: Room) -> tuple:
    """Compound, building, floor, then the room number with its digits compared as numbers."""
    number = [int(part) if part.isdecimal() else part for part in re.split(r"(\d+)", room.number)]
    building = room.floor.building
    return (building.compound.name, building.name, room.floor.number, number)


def issue_certificate(
    *,
    actor,
    organization: Organization,
    rooms,
    issued_on: datetime.date | None = None,
    note: str = "",
) -> UseCertificate:
    """Issue a use certificate to ``organization`` for ``rooms`` (all used by it, in the actor's
    scope, in use, none on another valid certificate)."""
    if not can_issue(actor):
        raise PermissionDenied("只有机关事务管理员可以签发使用权证。")
    issued_on = issued_on or clock.today()
    if issued_on > clock.today():
        raise ValidationError({"issued_on": "发证日期不能晚于今天。"})
    room_ids = sorted({r.pk if isinstance(r, Room) else int(r) for r in rooms})
    if not room_ids:
        raise ValidationError({"rooms": "请至少选择一个房间。"})
    with transaction.atomic():
        if not Organization.objects.restrict(actor, "view").filter(pk=organization.pk).exists():
            raise ValidationError({"organization": "所选使用单位不存在或超出您的管辖范围。"})
        organization = Organization.objects.select_related("region").get(pk=organization.pk)
        locked = list(
            Room.objects.select_for_update(of=("self",))
            .filter(pk__in=room_ids)
            .select_related("floor__building__compound", "organization")
        )
        # The certificate lists the rooms as a reader looks for them: 206 before 1309.
        locked.sort(key=_room_order)
        visible = set(
            Room.objects.restrict(actor, "view")
            .filter(pk__in=room_ids)
            .values_list("pk", flat=True)
        )
        errors = []
        if len(locked) != len(room_ids) or len(visible) != len(room_ids):
            errors.append("所选房间有的不存在或超出您的管辖范围。")
        for room in locked:
            if room.organization_id != organization.pk:
                holder = room.organization or "无使用单位"
                errors.append(f"房间“{room}”的使用单位是“{holder}”，不是“{organization}”。")
            elif room.status in UNCERTIFIABLE_STATUSES:
                errors.append(f"房间“{room}”处于“{room.get_status_display()}”状态，不能发证。")
        taken = (
            CertifiedRoom.objects.filter(
                room_id__in=room_ids, certificate__state=CertificateState.VALID
            )
            .select_related("certificate")
            .order_by("pk")
        )
        for line in taken:
            errors.append(f"房间“{line.label}”已在有效的使用权证 {line.certificate.number} 中。")
        if errors:
            raise ValidationError({"rooms": errors})
        certificate = UseCertificate(
            number=_next_number(organization.region, issued_on.year),
            organization=organization,
            region=organization.region,
            issued_on=issued_on,
            issued_by=actor,
            note=note,
            room_count=len(locked),
            total_area=sum((r.usable_area for r in locked), Decimal("0")),
        )
        certificate.full_clean()
        certificate.save()
        CertifiedRoom.objects.bulk_create(
            CertifiedRoom(
                certificate=certificate,
                room=room,
                label=str(room),
                category=room.category,
                usable_area=room.usable_area,
            )
            for room in locked
        )
        record_change(
            actor=actor, instance=certificate, action=ObjectChange.Action.CREATE, before=None
        )
        record_event(
            actor=actor,
            event="usecertificate.issue",
            obj=certificate,
            data={
                "holder_name": str(organization),
                "room_labels": "、".join(str(r) for r in locked),
                "area_total": str(certificate.total_area),
            },
        )
    return certificate


def revoke_certificate(
    *,
    actor,
    certificate: UseCertificate,
    reason: str,
    on: datetime.date | None = None,
    automatic: bool = False,
    expected_version: int | None = None,
) -> UseCertificate:
    """Revoke a valid certificate. ``automatic``: the system revokes it because its rooms moved
    (the write that moved them is the actor's; no permission on certificates is needed)."""
    from ..framework.versions import check_version

    reason = (reason or "").strip()
    if not automatic:
        if not can_issue(actor):
            raise PermissionDenied("只有机关事务管理员可以注销使用权证。")
        if not reason:
            raise ValidationError({"revoke_reason": "请填写注销原因。"})
    with transaction.atomic():
        current = UseCertificate.objects.select_for_update().get(pk=certificate.pk)
        if not automatic:
            if not UseCertificate.objects.restrict(actor, "change").filter(pk=current.pk).exists():
                raise ValidationError("该使用权证超出您的管辖范围。")
            check_version(current, expected_version)
        if current.state != CertificateState.VALID:
            raise ValidationError(f"使用权证 {current.number} 已注销，不能再次注销。")
        before = serialize_object(current)
        current.state = CertificateState.REVOKED
        current.revoked_on = on or clock.today()
        current.revoke_reason = reason[:300]
        current.version += 1
        current.save(
            update_fields=["state", "revoked_on", "revoke_reason", "version", "updated_at"]
        )
        record_change(
            actor=actor, instance=current, action=ObjectChange.Action.UPDATE, before=before
        )
        record_event(
            actor=actor,
            event="usecertificate.auto_revoke" if automatic else "usecertificate.revoke",
            obj=current,
            data={"reason": current.revoke_reason},
        )
    for name in ("state", "revoked_on", "revoke_reason", "version"):
        setattr(certificate, name, getattr(current, name))
    return certificate


def revoke_for_rooms(*, actor, room_ids, reason_for) -> list[UseCertificate]:
    """Revoke every valid certificate holding one of ``room_ids`` (automatic); ``reason_for``
    gives the reason from the certificate's affected line."""
    lines = (
        CertifiedRoom.objects.filter(
            room_id__in=list(room_ids), certificate__state=CertificateState.VALID
        )
        .select_related("certificate")
        .order_by("certificate_id", "pk")
    )
    revoked: dict[int, UseCertificate] = {}
    for line in lines:
        if line.certificate_id in revoked:
            continue
        revoked[line.certificate_id] = revoke_certificate(
            actor=actor, certificate=line.certificate, reason=reason_for(line), automatic=True
        )
    return list(revoked.values())


def room_category_label(code: str) -> str:
    try:
        return RoomCategory(code).label
    except ValueError:
        return code
