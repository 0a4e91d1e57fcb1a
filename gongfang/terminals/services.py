"""Writes of terminals: the bureau's binding (through the generic service) and what the gateway
does when a terminal registers or authenticates."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..framework.changelog import record_change
from ..framework.models import ObjectChange
from ..framework.services import ObjectService, register
from ..registry.models import Region
from .jt808 import messages as m
from .models import Terminal, TerminalState


@register
class TerminalService(ObjectService):
    model = Terminal

    def prepare(self, *, actor, instance: Terminal) -> None:
        instance.phone = instance.phone.strip().lstrip("0")
        if instance.vehicle_id:
            instance.region_id = instance.vehicle.region_id
            if instance.state != TerminalState.DISABLED:
                instance.state = TerminalState.BOUND
        elif instance.state == TerminalState.BOUND:
            instance.state = TerminalState.UNBOUND
            instance.auth_code = ""
        if not instance.region_id and actor.scope_region_id:
            instance.region_id = actor.scope_region_id

    def validate(self, *, actor, instance: Terminal, before: dict | None) -> None:
        if not instance.phone.isdigit() or len(instance.phone) > 20:
            raise ValidationError({"phone": "终端手机号应为不超过 20 位的数字。"})
        if not instance.region_id:
            raise ValidationError({"vehicle": "请选择绑定车辆（终端须归属一个区划）。"})


def region_of_registration(province: int, city: int) -> Region | None:
    """The region a 0x0100 names: province id = the first two digits of GB/T 2260, city id the
    last four; a code not known falls back to the province, then to the top of the tree."""
    codes = [f"{province:02d}{city:04d}", f"{province:02d}{city // 100 * 100:04d}"]
    codes.append(f"{province:02d}0000")
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    for code in codes:
        if code in found:
            return found[code]
    return Region.objects.filter(parent__isnull=True).order_by("code").first()


def register_terminal(
    *, phone: str, registration: m.Registration, version: int, address: str = ""
) -> tuple[int, str, Terminal | None]:
    """(0x8100 result, auth code, terminal) for a registration. A terminal bound to a vehicle
    gets an auth code; an unknown one is recorded (for the bureau to bind) and refused."""
    now = timezone.now()
    info = {
        "protocol": version,
        "manufacturer": registration.manufacturer[:20],
        "terminal_model": registration.model[:40],
        "device_id": registration.device_id[:40],
        "reported_plate": registration.plate[:20],
        "plate_color": registration.plate_color,
        "province_code": f"{registration.province:02d}"[:6],
        "city_code": f"{registration.city:04d}"[:6],
        "registered_at": now,
        "last_seen_at": now,
        "last_address": address[:60],
    }
    with transaction.atomic():
        terminal = Terminal.objects.select_for_update().filter(phone=phone).first()
        if terminal is None:
            region = region_of_registration(registration.province, registration.city)
            if region is None:
                return m.REGISTER_NO_TERMINAL, "", None
            terminal = Terminal.objects.create(phone=phone, region=region, refused_count=1, **info)
            record_change(
                actor=None, instance=terminal, action=ObjectChange.Action.CREATE, before=None
            )
            return m.REGISTER_NO_TERMINAL, "", terminal
        for name, value in info.items():
            setattr(terminal, name, value)
        if terminal.state != TerminalState.BOUND or terminal.vehicle_id is None:
            terminal.refused_count += 1
            terminal.save(update_fields=[*info, "refused_count", "updated_at"])
            return m.REGISTER_NO_TERMINAL, "", terminal
        if not terminal.auth_code:
            terminal.auth_code = secrets.token_hex(8)
        terminal.save(update_fields=[*info, "auth_code", "updated_at"])
        return m.REGISTER_OK, terminal.auth_code, terminal


def authenticate_terminal(*, phone: str, auth_code: str, address: str = "") -> Terminal | None:
    """The bound terminal whose auth code matches, its contact noted; else None."""
    terminal = (
        Terminal.objects.filter(phone=phone, state=TerminalState.BOUND)
        .exclude(auth_code="")
        .first()
    )
    if terminal is None or not secrets.compare_digest(terminal.auth_code, auth_code):
        return None
    now = timezone.now()
    Terminal.objects.filter(pk=terminal.pk).update(
        authenticated_at=now, last_seen_at=now, last_address=address[:60]
    )
    return terminal
