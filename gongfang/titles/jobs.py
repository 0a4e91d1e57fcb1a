"""The titles app's periodic job: a daily check that every valid use certificate still holds.

A certified room that moves through a service (a page, the API, a case) revokes its certificate
at once (``receivers``). A write that bypasses the services' signal — a whole-ledger import, a
data repair — is caught here the next morning: a valid certificate with a room deleted, now used
by another organization, idle (vacated), sealed or awaiting disposal is revoked by the system.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Q

from ..framework.jobs import Job, register_job
from .choices import CertificateState
from .models import CertifiedRoom
from .services import UNCERTIFIABLE_STATUSES, revoke_certificate


def stale_lines():
    """Lines of valid certificates whose room no longer fits the certificate."""
    return (
        CertifiedRoom.objects.filter(certificate__state=CertificateState.VALID)
        .filter(
            Q(room__isnull=True)
            | Q(room__organization__isnull=True)
            | ~Q(room__organization_id=F("certificate__organization_id"))
            | Q(room__status__in=UNCERTIFIABLE_STATUSES)
        )
        .select_related("certificate", "room__organization")
        .order_by("certificate_id", "pk")
    )


def reason_for(line: CertifiedRoom) -> str:
    room = line.room
    if room is None:
        return f"证内房间“{line.label}”已从台账删除，使用权证自动注销。"
    if room.status in UNCERTIFIABLE_STATUSES:
        return f"房间“{line.label}”已{room.get_status_display()}，使用权证自动注销。"
    holder = room.organization.name if room.organization_id else "无使用单位"
    return f"房间“{line.label}”的使用单位已变更为“{holder}”，使用权证自动注销。"


def sweep_certificates() -> str:
    done: set[int] = set()
    for line in stale_lines():
        if line.certificate_id in done:
            continue
        done.add(line.certificate_id)
        with transaction.atomic():
            revoke_certificate(
                actor=None, certificate=line.certificate, reason=reason_for(line), automatic=True
            )
    if not done:
        return "有效使用权证均与台账相符。"
    return f"注销与台账不符的使用权证 {len(done):,} 份。"


def register() -> None:
    register_job(
        Job(
            key="titles.certificate_sweep",
            name="使用权证核对",
            description="每天核对有效的使用权证：证内房间已删除、已调出本单位、已闲置（腾退）、封存或待处置的，"
            "系统自动注销（通过页面、接口或审批办理的变动当即注销，此项兜底台账导入等批量写入）。",
            run=sweep_certificates,
            at=datetime.time(3, 30),
        )
    )
