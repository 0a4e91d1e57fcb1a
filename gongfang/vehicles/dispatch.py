"""Dispatch (派车): every write of a car request's life, from the request to the car's return.

::

    requested ──approve──▶ approved ──assign──▶ assigned ──depart──▶ departed ──return──▶ returned
        │                     │                    │ (re-assign)
        └──reject──▶ rejected ◀┘                    │
        └────────────cancel (before departure)──────┴──▶ cancelled

Each service runs in one transaction, locks the dispatch row, checks the version the caller saw
(a form's hidden field, an API ``If-Match``), writes the change log and an audit event
``dispatch.<action>``. Who may act: an account whose scope holds the dispatch's organization and
that may change dispatches (the unit's admin; the bureau over its region). The one who asked
for a car does not approve their own request.

**Conflicts.** A car or a driver is held by its assigned or departed dispatches for their
planned time. Assigning locks the vehicle's and the driver's rows first, then looks for an
overlapping hold: two assignments of the same car at once queue on that lock, so the second one
sees the first and is refused with a message naming it. Intervals that only touch (one ends at
10:00, the next starts at 10:00) do not conflict.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..framework import clock
from ..framework.changelog import record_change, record_event, serialize_object
from ..framework.models import ObjectChange
from ..framework.versions import check_version
from ..registry.models import Organization
from .choices import DISPATCH_HOLDS, DispatchState, VehicleStatus
from .models import Dispatch, Driver, Vehicle

NOT_IN_SCOPE = "该派车单不存在或超出您的管辖范围。"
# States a dispatch may be cancelled from (before the car leaves).
CANCELLABLE = (DispatchState.REQUESTED, DispatchState.APPROVED, DispatchState.ASSIGNED)


def local(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def span(start: datetime.datetime, end: datetime.datetime) -> str:
    """09:00–12:00 on one day, else both ends in full."""
    a, b = timezone.localtime(start), timezone.localtime(end)
    if a.date() == b.date():
        return f"{a:%Y-%m-%d %H:%M}–{b:%H:%M}"
    return f"{a:%Y-%m-%d %H:%M} 至 {b:%Y-%m-%d %H:%M}"


def label(dispatch: Dispatch) -> str:
    """How a message names a dispatch: 派车单 #12（到市政府开会，09:00–12:00）."""
    return (
        f"派车单 #{dispatch.pk}（{dispatch.purpose}，{span(dispatch.start_at, dispatch.end_at)}）"
    )


def _require(actor, action: str, organization: Organization) -> None:
    if actor is None or not getattr(actor, "is_active", False):
        raise PermissionDenied(NOT_IN_SCOPE)
    if not actor.has_model_perm(Dispatch, action):
        raise PermissionDenied("您没有办理派车的权限。")
    if not Organization.objects.restrict(actor, "view").filter(pk=organization.pk).exists():
        raise PermissionDenied("用车单位不存在或超出您的管辖范围。")


def _lock(actor, dispatch: Dispatch, expected_version: int | None) -> Dispatch:
    current = Dispatch.objects.select_for_update().filter(pk=dispatch.pk).first()
    if current is None or not (
        Dispatch.objects.restrict(actor, "change").filter(pk=dispatch.pk).exists()
    ):
        raise PermissionDenied(NOT_IN_SCOPE)
    check_version(current, expected_version)
    return current


def _state_error(dispatch: Dispatch, verb: str) -> ValidationError:
    return ValidationError(f"{label(dispatch)}当前为“{dispatch.get_state_display()}”，不能{verb}。")


def _save(actor, dispatch: Dispatch, before: dict, fields: list[str], event: str, **data) -> None:
    dispatch.version += 1
    dispatch.save(update_fields=[*fields, "version", "updated_at"])
    record_change(actor=actor, instance=dispatch, action=ObjectChange.Action.UPDATE, before=before)
    record_event(actor=actor, event=f"dispatch.{event}", obj=dispatch, data=data)


def _copy(target: Dispatch, source: Dispatch) -> Dispatch:
    """The caller's object follows the saved row (pages re-render it)."""
    target.__dict__.update(
        {k: v for k, v in source.__dict__.items() if not k.startswith("_") or k == "_state"}
    )
    return target


# Request ----------------------------------------------------------------------------------------
def request_dispatch(
    *,
    actor,
    organization: Organization,
    purpose: str,
    passengers: int,
    origin: str,
    destination: str,
    start_at: datetime.datetime,
    end_at: datetime.datetime,
) -> Dispatch:
    """A unit asks for a car: what for, how many, from where to where, from when to when."""
    _require(actor, "add", organization)
    errors: dict[str, list[str]] = {}
    purpose, origin, destination = (
        (purpose or "").strip(),
        (origin or "").strip(),
        (destination or "").strip(),
    )
    for name, value, text in (
        ("purpose", purpose, "用车事由"),
        ("origin", origin, "出发地"),
        ("destination", destination, "目的地"),
    ):
        if not value:
            errors[name] = [f"请填写{text}。"]
    if passengers is None or passengers < 1:
        errors["passengers"] = ["乘车人数须至少 1 人。"]
    if start_at and end_at and end_at <= start_at:
        errors["end_at"] = ["预计结束时间须晚于用车开始时间。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        organization = Organization.objects.select_related("region").get(pk=organization.pk)
        dispatch = Dispatch(
            organization=organization,
            region=organization.region,
            requested_by=actor,
            purpose=purpose,
            passengers=passengers,
            origin=origin,
            destination=destination,
            start_at=start_at,
            end_at=end_at,
            state=DispatchState.REQUESTED,
        )
        dispatch.full_clean()
        dispatch.save()
        if not Dispatch.objects.restrict(actor, "add").filter(pk=dispatch.pk).exists():
            raise PermissionDenied("用车单位不存在或超出您的管辖范围。")
        record_change(
            actor=actor, instance=dispatch, action=ObjectChange.Action.CREATE, before=None
        )
        record_event(actor=actor, event="dispatch.request", obj=dispatch, data={})
    return dispatch


# Approval ---------------------------------------------------------------------------------------
def approve_dispatch(*, actor, dispatch: Dispatch, expected_version: int | None = None) -> Dispatch:
    """The unit's approver (its admin, or the bureau over its region) agrees to the trip."""
    with transaction.atomic():
        current = _lock(actor, dispatch, expected_version)
        if current.state != DispatchState.REQUESTED:
            raise _state_error(current, "审批")
        if current.requested_by_id == actor.pk:
            raise PermissionDenied("不能审批本人提交的用车申请，请由单位其他审批人办理。")
        before = serialize_object(current)
        current.state = DispatchState.APPROVED
        current.approved_by = actor
        current.approved_at = clock.now()
        _save(actor, current, before, ["state", "approved_by", "approved_at"], "approve")
    return _copy(dispatch, current)


def reject_dispatch(
    *, actor, dispatch: Dispatch, reason: str = "", expected_version: int | None = None
) -> Dispatch:
    """Refuse a request (or an approved one not yet given a car), saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reject_reason": "请填写驳回理由。"})
    with transaction.atomic():
        current = _lock(actor, dispatch, expected_version)
        if current.state not in (DispatchState.REQUESTED, DispatchState.APPROVED):
            raise _state_error(current, "驳回")
        if current.requested_by_id == actor.pk:
            raise PermissionDenied("不能驳回本人提交的用车申请；不再用车请取消。")
        before = serialize_object(current)
        current.state = DispatchState.REJECTED
        current.reject_reason = reason[:300]
        current.approved_by = actor
        current.approved_at = clock.now()
        _save(
            actor,
            current,
            before,
            ["state", "reject_reason", "approved_by", "approved_at"],
            "reject",
            reason=current.reject_reason,
        )
    return _copy(dispatch, current)


# Assignment -------------------------------------------------------------------------------------
def conflicts(
    *,
    start_at: datetime.datetime,
    end_at: datetime.datetime,
    vehicle: Vehicle | None = None,
    driver: Driver | None = None,
    exclude: int | None = None,
) -> list[str]:
    """Why ``vehicle`` or ``driver`` cannot be held for [start_at, end_at): each overlapping
    assigned or departed dispatch, named. Touching intervals do not overlap."""
    holds = Dispatch.objects.filter(
        state__in=DISPATCH_HOLDS, start_at__lt=end_at, end_at__gt=start_at
    ).exclude(pk=exclude)
    messages = []
    if vehicle is not None:
        for other in holds.filter(vehicle=vehicle).order_by("start_at")[:3]:
            messages.append(f"车辆 {vehicle.plate} 在该时段已派给{label(other)}，时间重叠。")
    if driver is not None:
        for other in holds.filter(driver=driver).order_by("start_at")[:3]:
            messages.append(f"驾驶员 {driver.name} 在该时段已派给{label(other)}，时间重叠。")
    return messages


def _fleet_errors(dispatch: Dispatch, vehicle: Vehicle, driver: Driver) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    org_path = dispatch.organization.path
    if not vehicle.organization.path.startswith(org_path):
        errors["vehicle"] = [f"车辆 {vehicle.plate} 不属于用车单位“{dispatch.organization}”。"]
    elif vehicle.status != VehicleStatus.IN_USE:
        errors["vehicle"] = [
            f"车辆 {vehicle.plate} 当前为“{vehicle.get_status_display()}”，不能派出。"
        ]
    elif vehicle.seats and dispatch.passengers + 1 > vehicle.seats:
        errors["vehicle"] = [
            f"车辆 {vehicle.plate} 核定 {vehicle.seats} 座，乘车 {dispatch.passengers} 人"
            "加驾驶员超员。"
        ]
    if not driver.organization.path.startswith(org_path):
        errors["driver"] = [f"驾驶员 {driver.name} 不属于用车单位“{dispatch.organization}”。"]
    elif not driver.active:
        errors["driver"] = [f"驾驶员 {driver.name} 已停用，不能派车。"]
    elif (
        driver.license_expires_on
        and driver.license_expires_on < timezone.localtime(dispatch.end_at).date()
    ):
        errors["driver"] = [
            f"驾驶员 {driver.name} 的驾驶证 {driver.license_expires_on:%Y-%m-%d} 到期，"
            "早于本次用车结束。"
        ]
    return errors


def assign_dispatch(
    *,
    actor,
    dispatch: Dispatch,
    vehicle: Vehicle,
    driver: Driver,
    expected_version: int | None = None,
) -> Dispatch:
    """Give an approved dispatch its car and driver (or change them before departure).

    The vehicle's and the driver's rows are locked before the overlap check, so a concurrent
    assignment of either waits here and then sees this one."""
    with transaction.atomic():
        current = _lock(actor, dispatch, expected_version)
        if current.state not in (DispatchState.APPROVED, DispatchState.ASSIGNED):
            raise _state_error(current, "派车")
        vehicle = (
            Vehicle.objects.restrict(actor, "view")
            .select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=vehicle.pk)
            .first()
        )
        driver = (
            Driver.objects.restrict(actor, "view")
            .select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=driver.pk)
            .first()
        )
        if vehicle is None or driver is None:
            raise ValidationError(
                {
                    "vehicle" if vehicle is None else "driver": "所选车辆或驾驶员不存在或超出您的"
                    "管辖范围。"
                }
            )
        errors = _fleet_errors(current, vehicle, driver)
        if errors:
            raise ValidationError(errors)
        clash = conflicts(
            start_at=current.start_at,
            end_at=current.end_at,
            vehicle=vehicle,
            driver=driver,
            exclude=current.pk,
        )
        if clash:
            raise ValidationError(clash)
        before = serialize_object(current)
        current.state = DispatchState.ASSIGNED
        current.vehicle = vehicle
        current.driver = driver
        current.assigned_by = actor
        current.assigned_at = clock.now()
        _save(
            actor,
            current,
            before,
            ["state", "vehicle", "driver", "assigned_by", "assigned_at"],
            "assign",
            vehicle=vehicle.plate,
            driver=driver.name,
        )
    return _copy(dispatch, current)


# The trip ---------------------------------------------------------------------------------------
def depart_dispatch(
    *, actor, dispatch: Dispatch, start_mileage: int, expected_version: int | None = None
) -> Dispatch:
    """The car leaves: its odometer reading now (not below what the registry knows)."""
    with transaction.atomic():
        current = _lock(actor, dispatch, expected_version)
        if current.state != DispatchState.ASSIGNED:
            raise _state_error(current, "出车")
        vehicle = Vehicle.objects.select_for_update().get(pk=current.vehicle_id)
        if start_mileage is None or start_mileage < 0:
            raise ValidationError({"start_mileage": "请填写出车时的里程表读数（公里）。"})
        if start_mileage < (vehicle.mileage or 0):
            raise ValidationError(
                {
                    "start_mileage": f"出车里程 {start_mileage} 公里小于车辆 {vehicle.plate} "
                    f"登记的里程 {vehicle.mileage} 公里。"
                }
            )
        busy = (
            Dispatch.objects.filter(vehicle=vehicle, state=DispatchState.DEPARTED)
            .exclude(pk=current.pk)
            .first()
        )
        if busy is not None:
            raise ValidationError(f"车辆 {vehicle.plate} 尚未从{label(busy)}还车，不能出车。")
        before = serialize_object(current)
        current.state = DispatchState.DEPARTED
        current.start_mileage = start_mileage
        current.departed_at = clock.now()
        _save(
            actor,
            current,
            before,
            ["state", "start_mileage", "departed_at"],
            "depart",
            start_mileage=start_mileage,
        )
    return _copy(dispatch, current)


def return_dispatch(
    *,
    actor,
    dispatch: Dispatch,
    end_mileage: int,
    returned_at: datetime.datetime | None = None,
    expected_version: int | None = None,
) -> Dispatch:
    """The car is back: its odometer (not below the departure's) becomes the vehicle's mileage."""
    with transaction.atomic():
        current = _lock(actor, dispatch, expected_version)
        if current.state != DispatchState.DEPARTED:
            raise _state_error(current, "还车")
        if end_mileage is None or end_mileage < (current.start_mileage or 0):
            raise ValidationError(
                {
                    "end_mileage": f"还车里程须不小于出车里程 {current.start_mileage} 公里"
                    f"（填写的是 {end_mileage} 公里）。"
                }
            )
        returned_at = returned_at or clock.now()
        if current.departed_at and returned_at < current.departed_at:
            raise ValidationError({"returned_at": "还车时间不能早于出车时间。"})
        vehicle = Vehicle.objects.select_for_update().get(pk=current.vehicle_id)
        before = serialize_object(current)
        current.state = DispatchState.RETURNED
        current.end_mileage = end_mileage
        current.returned_at = returned_at
        _save(
            actor,
            current,
            before,
            ["state", "end_mileage", "returned_at"],
            "return",
            end_mileage=end_mileage,
            distance=end_mileage - current.start_mileage,
        )
        if end_mileage > (vehicle.mileage or 0):
            vehicle_before = serialize_object(vehicle)
            vehicle.mileage = end_mileage
            vehicle.version += 1
            vehicle.save(update_fields=["mileage", "version", "updated_at"])
            record_change(
                actor=actor,
                instance=vehicle,
                action=ObjectChange.Action.UPDATE,
                before=vehicle_before,
            )
    return _copy(dispatch, current)


def cancel_dispatch(
    *, actor, dispatch: Dispatch, reason: str = "", expected_version: int | None = None
) -> Dispatch:
    """The unit no longer needs the car (any time before it leaves); the car and driver are free."""
    with transaction.atomic():
        current = _lock(actor, dispatch, expected_version)
        if current.state not in CANCELLABLE:
            raise _state_error(current, "取消")
        before = serialize_object(current)
        current.state = DispatchState.CANCELLED
        current.cancel_reason = (reason or "").strip()[:300]
        _save(
            actor,
            current,
            before,
            ["state", "cancel_reason"],
            "cancel",
            reason=current.cancel_reason,
        )
    return _copy(dispatch, current)
