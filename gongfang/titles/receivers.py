"""Automatic revocation: a use certificate stops being valid when one of its rooms moves.

Connected to :data:`framework.signals.object_written` (``TitlesConfig.ready``). It runs inside
the writing service's transaction — a room edited on its page, an import, an allocation or a
vacate case applying — so the certificate is revoked together with the write, by its actor.
"""

from __future__ import annotations

from ..framework.models import ObjectChange
from ..registry.choices import RoomStatus
from ..registry.models import Building, Compound, Floor, Organization, Room
from .choices import CertificateState
from .models import CertifiedRoom
from .services import UNCERTIFIABLE_STATUSES, revoke_certificate, revoke_for_rooms

# Deleting one of these may delete certified rooms with it.
SPACE_MODELS = (Room, Floor, Building, Compound)


def _org_name(pk) -> str:
    if pk is None:
        return "无使用单位"
    org = Organization._base_manager.filter(pk=pk).only("name").first()
    return org.name if org is not None else "已删除的单位"


def on_object_written(sender, *, instance, before, after, actor, action, **kwargs) -> None:
    if action == ObjectChange.Action.DELETE:
        if sender in SPACE_MODELS:
            revoke_for_deleted_rooms(actor=actor)
        return
    if sender is not Room or before is None:
        return
    old_org, new_org = before.get("organization"), after.get("organization")
    if old_org != new_org:
        old, new = _org_name(old_org), _org_name(new_org)
        revoke_for_rooms(
            actor=actor,
            room_ids=[instance.pk],
            reason_for=lambda line: (
                f"房间“{line.label}”的使用单位已由“{old}”变更为“{new}”，使用权证自动注销。"
            ),
        )
        return
    status = after.get("status")
    if status in UNCERTIFIABLE_STATUSES and before.get("status") != status:
        label = RoomStatus(status).label
        revoke_for_rooms(
            actor=actor,
            room_ids=[instance.pk],
            reason_for=lambda line: f"房间“{line.label}”已{label}，使用权证自动注销。",
        )


def revoke_for_deleted_rooms(*, actor) -> None:
    """A delete of a room (or of the floor, building or compound around it) empties the room of
    its certificate lines (SET_NULL): the valid certificates with such a line are revoked."""
    lines = (
        CertifiedRoom.objects.filter(room__isnull=True, certificate__state=CertificateState.VALID)
        .select_related("certificate")
        .order_by("certificate_id", "pk")
    )
    done: set[int] = set()
    for line in lines:
        if line.certificate_id in done:
            continue
        done.add(line.certificate_id)
        revoke_certificate(
            actor=actor,
            certificate=line.certificate,
            reason=f"证内房间“{line.label}”已从台账删除，使用权证自动注销。",
            automatic=True,
        )
