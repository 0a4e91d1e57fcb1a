"""Services of checklists, plans, inspections, measurements and tip-offs: every write.

Who may do what (the role table gives the bureau ALL on inspections and everyone else VIEW; the
finer rights are decided here):

* the bureau (机关事务管理员 whose region scope covers the plan's region) plans, generates the
  inspections, accepts or rejects measured areas, registers, assigns and closes tips;
* the team (the plan's team and the inspection's inspectors — bureau staff and the discipline
  commission's 纪检监督 accounts) inspects: starts and finishes an inspection, records item
  results and measured areas; a supervisor still writes nothing in the registry: an accepted
  measurement is written by the bureau through the registry's own service;
* a tip's assignee checks and answers it.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q

from ..accounts.models import User
from ..accounts.roles import Role
from ..framework import clock
from ..framework.changelog import (
    record_change,
    record_changes,
    record_event,
    register_event_labels,
    serialize_object,
)
from ..framework.models import ObjectChange
from ..framework.services import ManyToManyService, ObjectService, register, service_for
from ..framework.versions import check_version
from ..registry.choices import OrganizationStatus
from ..registry.models import Organization, Region, Room
from .choices import (
    MEASUREMENT_SOURCE,
    InspectionState,
    ItemResult,
    MeasurementState,
    PlanKind,
    PlanState,
    TipState,
)
from .models import (
    AssessmentDate,
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionPlan,
    ItemCheck,
    Measurement,
    Tip,
)

register_event_labels(
    {
        "inspectionplan.generate": "生成督查检查",
        "inspectionplan.transition": "督查计划状态变更",
        "inspection.transition": "督查检查状态变更",
        "measurement.accept": "采纳实地测量面积",
        "measurement.reject": "退回实地测量面积",
        "tip.transition": "线索办理",
    }
)

# The roles that may sit on an inspection team.
TEAM_ROLES = (Role.BUREAU_ADMIN, Role.SUPERVISOR)


# Who may -------------------------------------------------------------------------------------------
def _covers(user, region: Region | None) -> bool:
    scope = getattr(user, "scope_region", None)
    return bool(scope is not None and region is not None and region.path.startswith(scope.path))


def is_bureau(user, region: Region | None = None) -> bool:
    """A bureau account (ALL on inspections) whose region scope covers ``region`` (any, if None)."""
    if user is None or not user.is_authenticated or not user.has_role(Role.BUREAU_ADMIN):
        return False
    if not user.has_model_perm(InspectionPlan, "change"):
        return False
    return _covers(user, region) if region is not None else bool(user.scope_region_id)


def is_team_member(user, inspection: Inspection) -> bool:
    """On the plan's team or among the inspection's inspectors."""
    if user is None or not user.is_authenticated:
        return False
    return (
        inspection.inspectors.filter(pk=user.pk).exists()
        or inspection.plan.team.filter(pk=user.pk).exists()
    )


def may_inspect(user, inspection: Inspection) -> bool:
    """Record results and measurements: the team, or the bureau of the region."""
    if user is None or not user.is_authenticated:
        return False
    if not Inspection.objects.restrict(user, "view").filter(pk=inspection.pk).exists():
        return False
    return is_bureau(user, inspection.region) or is_team_member(user, inspection)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _lock(model: type[models.Model], obj: models.Model, expected_version: int | None = None):
    current = model._base_manager.select_for_update().get(pk=obj.pk)
    check_version(current, expected_version)
    return current


def _save(actor, instance: models.Model, before: dict, fields: list[str]) -> ObjectChange | None:
    """Save the named fields of a locked row, raise its version, log the change."""
    instance.full_clean()
    instance.version += 1
    instance.save(update_fields=[*fields, "version", "updated_at"])
    return record_change(
        actor=actor, instance=instance, action=ObjectChange.Action.UPDATE, before=before
    )


# Checklists ------------------------------------------------------------------------------------
def checklist_in_use(checklist: Checklist) -> bool:
    """A revision an inspection plan runs on is frozen: revise it instead."""
    return checklist.plans.exists()


def current_checklist(on: datetime.date | None = None) -> Checklist | None:
    """The newest revision in force on ``on`` (today)."""
    on = on or clock.today()
    return Checklist.objects.filter(effective_from__lte=on).order_by("-revision").first()


@register
class ChecklistService(ObjectService):
    model = Checklist

    def after_save(self, *, actor, instance: Checklist, before: dict | None) -> list[str]:
        """A new revision starts as a copy of the newest earlier one; its items are then edited."""
        if before is not None:
            return []
        previous = (
            Checklist.objects.filter(revision__lt=instance.revision).order_by("-revision").first()
        )
        if previous is None:
            return []
        items = [
            ChecklistItem(
                checklist=instance,
                target=item.target,
                aspect=item.aspect,
                title=item.title,
                description=item.description,
                rules=list(item.rules),
                source=item.source,
            )
            for item in previous.items.order_by("target", "aspect")
        ]
        ChecklistItem.objects.bulk_create(items)
        record_changes(
            actor=actor, changes=[(item, ObjectChange.Action.CREATE, None) for item in items]
        )
        return [f"已从第{previous.revision}版复制 {len(items)} 项检查内容，可逐项修改。"]


@register
class ChecklistItemService(ObjectService):
    model = ChecklistItem

    def validate(self, *, actor, instance: ChecklistItem, before: dict | None) -> None:
        if checklist_in_use(instance.checklist):
            raise ValidationError(
                f"{instance.checklist}已被督查计划使用，不能修改；请新增修订版本后再改。"
            )

    def delete(self, *, actor, instance: ChecklistItem, expected_version: int | None = None):
        if checklist_in_use(instance.checklist):
            raise ValidationError(f"{instance.checklist}已被督查计划使用，不能删除其中的项目。")
        return super().delete(actor=actor, instance=instance, expected_version=expected_version)


# Plans -----------------------------------------------------------------------------------------------
def one_month_before(day: datetime.date) -> datetime.date:
    """The same day a month earlier (the last day of that month when it is shorter)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@register
class AssessmentDateService(ObjectService):
    model = AssessmentDate


def assessment_for(region: Region, year: int) -> AssessmentDate | None:
    """The assessment date of ``region`` or, failing that, of the nearest region above it."""
    paths = [region.path[:i] for i in range(len(region.path), 0, -1)]
    rows = AssessmentDate.objects.filter(year=year, region__path__in=paths).select_related("region")
    return max(rows, key=lambda row: len(row.region.path), default=None)


def full_inspection_deadline(region: Region, year: int) -> datetime.date | None:
    """Seed 001: the yearly full inspection is finished one month before the assessment."""
    assessment = assessment_for(region, year)
    return one_month_before(assessment.assessed_on) if assessment else None


def plan_organizations(plan: InspectionPlan) -> models.QuerySet[Organization]:
    """The organizations a plan inspects: the chosen ones, or every active one of its region."""
    if plan.all_organizations:
        return Organization.objects.filter(
            region__path__startswith=plan.region.path, status=OrganizationStatus.ACTIVE
        )
    return plan.organizations.all()


def _team_errors(team: list[User], region: Region) -> list[str]:
    """Why these accounts may not inspect in ``region`` (none: they may)."""
    errors = []
    wrong = [u for u in team if not any(u.has_role(r) for r in TEAM_ROLES) or not u.is_active]
    if wrong:
        names = "、".join(u.name or u.username for u in wrong)
        errors.append(f"督查组成员须为机关事务管理员或纪检监督账号：{names}。")
    far = [u for u in team if u not in wrong and not _covers(u, region)]
    if far:
        names = "、".join(u.name or u.username for u in far)
        errors.append(f"以下成员的管辖范围不含该区划：{names}。")
    return errors


@register
class InspectionPlanService(ManyToManyService):
    model = InspectionPlan
    many_to_many = ("organizations", "team")

    def prepare(self, *, actor, instance: InspectionPlan) -> None:
        if instance.kind == PlanKind.FULL and not instance.deadline and instance.region_id:
            instance.deadline = full_inspection_deadline(instance.region, instance.year)

    def validate(self, *, actor, instance: InspectionPlan, before: dict | None) -> None:
        _require(is_bureau(actor, instance.region), "只有本区划的机关事务管理员可以制定督查计划。")
        if before is not None and before["state"] in (PlanState.DONE, PlanState.CANCELLED):
            raise ValidationError(f"督查计划已{instance.get_state_display()}，不能修改。")
        if instance.deadline and instance.deadline < instance.start_on:
            raise ValidationError({"deadline": "完成期限不能早于开始日期。"})

    def _set_related(self, plan: InspectionPlan, related: dict[str, Any]) -> None:
        errors: dict[str, list[str]] = {}
        organizations = list(related.get("organizations") or [])
        outside = [o for o in organizations if not o.region.path.startswith(plan.region.path)]
        if outside:
            names = "、".join(o.name for o in outside)
            errors["organizations"] = [f"单位不在计划的区划“{plan.region}”内：{names}。"]
        if not plan.all_organizations and "organizations" in related and not organizations:
            errors["organizations"] = ["未勾选“区划内全部单位”时，请至少选择一个检查单位。"]
        team = list(related.get("team") or [])
        if team_errors := _team_errors(team, plan.region):
            errors["team"] = team_errors
        if errors:
            raise ValidationError(errors)
        if "organizations" in related:
            plan.organizations.set(organizations)
        if "team" in related:
            plan.team.set(team)


@register
class InspectionService(ManyToManyService):
    """The bureau's edits of a generated inspection (date, inspectors, summary); inspections
    are created by ``generate_inspections`` and change state through the steps below."""

    model = Inspection
    many_to_many = ("inspectors",)

    def validate(self, *, actor, instance: Inspection, before: dict | None) -> None:
        _require(is_bureau(actor, instance.region), "只有本区划的机关事务管理员可以修改督查检查。")
        if before is None:
            raise ValidationError("督查检查由督查计划生成。")
        if before["state"] == InspectionState.DONE:
            raise ValidationError("该检查已完成，不能修改。")

    def _set_related(self, inspection: Inspection, related: dict[str, Any]) -> None:
        if "inspectors" not in related:
            return
        team = list(related["inspectors"] or [])
        if errors := _team_errors(team, inspection.region):
            raise ValidationError({"inspectors": errors})
        inspection.inspectors.set(team)


def team_candidates(region: Region | None) -> models.QuerySet[User]:
    """Accounts that may sit on a team for ``region``: bureau and supervisor accounts whose
    region scope covers it."""
    users = User.objects.filter(is_active=True, scope_region__isnull=False)
    ids = [
        u.pk
        for u in users.select_related("scope_region")
        if any(u.has_role(r) for r in TEAM_ROLES) and (region is None or _covers(u, region))
    ]
    return User.objects.filter(pk__in=ids).order_by("username")


def generate_inspections(*, actor, plan: InspectionPlan) -> list[Inspection]:
    """One inspection per organization of the plan that has none yet (the team as inspectors,
    the plan's start as the date). Generating again adds only the missing ones."""
    _require(is_bureau(actor, plan.region), "只有本区划的机关事务管理员可以生成督查检查。")
    with transaction.atomic():
        plan = _lock(InspectionPlan, plan)
        if plan.state in (PlanState.DONE, PlanState.CANCELLED):
            raise ValidationError(f"督查计划已{plan.get_state_display()}，不能再生成检查。")
        existing = set(plan.inspections.values_list("organization_id", flat=True))
        organizations = [
            o for o in plan_organizations(plan).order_by("path") if o.pk not in existing
        ]
        if not organizations and not existing:
            raise ValidationError("计划范围内没有可检查的单位。")
        created = Inspection.objects.bulk_create(
            Inspection(
                plan=plan,
                organization=o,
                region_id=o.region_id,
                checklist_id=plan.checklist_id,
                scheduled_on=plan.start_on,
            )
            for o in organizations
        )
        if not created:
            return []
        created = list(
            Inspection.objects.filter(plan=plan, organization__in=organizations).order_by("pk")
        )
        team = list(plan.team.values_list("pk", flat=True))
        through = Inspection.inspectors.through
        through.objects.bulk_create(
            through(inspection_id=i.pk, user_id=u) for i in created for u in team
        )
        record_changes(
            actor=actor, changes=[(i, ObjectChange.Action.CREATE, None) for i in created]
        )
        record_event(
            actor=actor,
            event="inspectionplan.generate",
            obj=plan,
            data={"count": len(created)},
        )
    return created


def _plan_transition(actor, plan: InspectionPlan, to: str, allowed: tuple[str, ...]) -> None:
    if plan.state == to:
        return
    if plan.state not in allowed:
        raise ValidationError(
            f"督查计划处于“{plan.get_state_display()}”，不能改为“{PlanState(to).label}”。"
        )
    before = serialize_object(plan)
    frm = plan.state
    plan.state = to
    _save(actor, plan, before, ["state"])
    record_event(
        actor=actor, event="inspectionplan.transition", obj=plan, data={"from": frm, "to": to}
    )


def cancel_plan(*, actor, plan: InspectionPlan, expected_version: int | None = None) -> None:
    """Cancel a plan none of whose inspections has started."""
    _require(is_bureau(actor, plan.region), "只有本区划的机关事务管理员可以取消督查计划。")
    with transaction.atomic():
        current = _lock(InspectionPlan, plan, expected_version)
        if current.inspections.exclude(state=InspectionState.PLANNED).exists():
            raise ValidationError("已有检查开始，不能取消督查计划。")
        _plan_transition(actor, current, PlanState.CANCELLED, (PlanState.PLANNED,))
    plan.state, plan.version = current.state, current.version


# Inspections ---------------------------------------------------------------------------------------
def _inspection_transition(actor, inspection: Inspection, to: str, **fields) -> None:
    before = serialize_object(inspection)
    frm = inspection.state
    inspection.state = to
    for name, value in fields.items():
        setattr(inspection, name, value)
    _save(actor, inspection, before, ["state", *fields])
    record_event(
        actor=actor, event="inspection.transition", obj=inspection, data={"from": frm, "to": to}
    )


def _ensure_started(actor, inspection: Inspection) -> Inspection:
    """An inspection whose first result is recorded has started (so has its plan)."""
    if inspection.state == InspectionState.DONE:
        raise ValidationError("该检查已完成，不能再记录。")
    if inspection.state == InspectionState.PLANNED:
        _inspection_transition(
            actor, inspection, InspectionState.IN_PROGRESS, started_at=clock.now()
        )
        plan = _lock(InspectionPlan, inspection.plan)
        if plan.state == PlanState.CANCELLED:
            raise ValidationError("督查计划已取消。")
        _plan_transition(actor, plan, PlanState.IN_PROGRESS, (PlanState.PLANNED,))
    return inspection


def start_inspection(
    *, actor, inspection: Inspection, expected_version: int | None = None
) -> Inspection:
    _require(may_inspect(actor, inspection), "只有督查组成员可以开始检查。")
    with transaction.atomic():
        current = _lock(Inspection, inspection, expected_version)
        if current.state != InspectionState.PLANNED:
            raise ValidationError(f"该检查处于“{current.get_state_display()}”，不能开始。")
        _ensure_started(actor, current)
    return current


def unchecked_items(inspection: Inspection) -> models.QuerySet[ChecklistItem]:
    done = inspection.item_checks.values("item_id")
    return inspection.checklist.items.exclude(pk__in=done)


def finish_inspection(
    *, actor, inspection: Inspection, summary: str = "", expected_version: int | None = None
) -> Inspection:
    """Every item has a result; the plan is done when its last inspection is."""
    _require(may_inspect(actor, inspection), "只有督查组成员可以完成检查。")
    with transaction.atomic():
        current = _lock(Inspection, inspection, expected_version)
        if current.state != InspectionState.IN_PROGRESS:
            raise ValidationError(f"该检查处于“{current.get_state_display()}”，不能完成。")
        missing = list(unchecked_items(current))
        if missing:
            names = "；".join(str(item) for item in missing[:5])
            more = f"等 {len(missing)} 项" if len(missing) > 5 else ""
            raise ValidationError(f"还有检查内容未记录结果：{names}{more}。")
        _inspection_transition(
            actor,
            current,
            InspectionState.DONE,
            finished_at=clock.now(),
            summary=(summary or current.summary).strip(),
        )
        plan = _lock(InspectionPlan, current.plan)
        if not plan.inspections.exclude(state=InspectionState.DONE).exists():
            _plan_transition(
                actor, plan, PlanState.DONE, (PlanState.PLANNED, PlanState.IN_PROGRESS)
            )
    return current


def record_item_check(
    *, actor, inspection: Inspection, item: ChecklistItem, result: str, note: str = ""
) -> ItemCheck:
    """Record (or correct) the result of one checklist item."""
    _require(may_inspect(actor, inspection), "只有督查组成员可以记录检查结果。")
    if result not in ItemResult.values:
        raise ValidationError({"result": "请选择检查结果（符合、不符合或不适用）。"})
    note = (note or "").strip()
    if result == ItemResult.FAIL and not note:
        raise ValidationError({"note": f"“{item.title}”不符合时请写明情况。"})
    with transaction.atomic():
        current = _lock(Inspection, inspection)
        if item.checklist_id != current.checklist_id:
            raise ValidationError({"item": "该检查内容不属于本次检查所用的清单。"})
        _ensure_started(actor, current)
        check = ItemCheck.objects.select_for_update().filter(inspection=current, item=item).first()
        now = clock.now()
        if check is None:
            check = ItemCheck(
                inspection=current,
                item=item,
                result=result,
                note=note,
                checked_by=actor,
                checked_at=now,
            )
            check.full_clean()
            check.save()
            record_change(
                actor=actor, instance=check, action=ObjectChange.Action.CREATE, before=None
            )
        elif (check.result, check.note) != (result, note):
            before = serialize_object(check)
            check.result, check.note, check.checked_by, check.checked_at = (
                result,
                note,
                actor,
                now,
            )
            _save(actor, check, before, ["result", "note", "checked_by", "checked_at"])
    inspection.state = current.state
    return check


# Measurements --------------------------------------------------------------------------------------
def inspection_rooms(inspection: Inspection) -> models.QuerySet[Room]:
    """The rooms the inspected organization (and its sub-units) uses."""
    return Room.objects.filter(
        organization__path__startswith=inspection.organization.path
    ).select_related("floor__building__compound", "organization")


def record_measurement(
    *, actor, inspection: Inspection, room: Room, measured_area, note: str = ""
) -> Measurement:
    """Record an area measured on site; the registry is not touched until it is accepted."""
    _require(may_inspect(actor, inspection), "只有督查组成员可以记录实地测量。")
    try:
        area = Decimal(str(measured_area)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise ValidationError({"measured_area": "实测面积须为数字（平方米）。"}) from None
    if area <= 0 or area >= Decimal("10000000000"):
        raise ValidationError({"measured_area": "实测面积须大于 0 平方米。"})
    with transaction.atomic():
        current = _lock(Inspection, inspection)
        if not inspection_rooms(current).filter(pk=room.pk).exists():
            raise ValidationError({"room": f"房间“{room}”不由被检查单位使用。"})
        _ensure_started(actor, current)
        room = Room.objects.get(pk=room.pk)
        measurement = Measurement(
            inspection=current,
            room=room,
            measured_area=area,
            registered_area=room.usable_area,
            measured_by=actor,
            measured_at=clock.now(),
            note=(note or "").strip()[:300],
        )
        measurement.full_clean()
        measurement.save()
        record_change(
            actor=actor, instance=measurement, action=ObjectChange.Action.CREATE, before=None
        )
    inspection.state = current.state
    return measurement


def may_decide_measurement(user, measurement: Measurement) -> bool:
    """The bureau of the region, who may also change the room in the registry."""
    return is_bureau(user, measurement.inspection.region) and user.has_model_perm(Room, "change")


def accept_measurement(
    *, actor, measurement: Measurement, expected_version: int | None = None
) -> Measurement:
    """Write the measured area into the room through the registry's service (its validation,
    lock and change log), tagged with the source 实地测量, and keep that change-log row."""
    _require(may_decide_measurement(actor, measurement), "只有机关事务管理员可以采纳实地测量面积。")
    with transaction.atomic():
        current = _lock(Measurement, measurement, expected_version)
        if current.state != MeasurementState.RECORDED:
            raise ValidationError(f"该测量已{current.get_state_display()}，不能再次处理。")
        room = Room.objects.get(pk=current.room_id)
        previous = room.usable_area
        data: dict[str, Any] = {"usable_area": current.measured_area}
        if room.building_area is not None and room.building_area < current.measured_area:
            raise ValidationError(
                {
                    "measured_area": f"实测使用面积 {current.measured_area} 平方米大于房间“{room}”"
                    f"登记的建筑面积 {room.building_area} 平方米，请先核实建筑面积。"
                }
            )
        service_for(Room).update(actor=actor, instance=room, data=data)
        change = None
        if previous != current.measured_area:
            change = (
                ObjectChange.objects.filter(
                    changed_object_type=ContentType.objects.get_for_model(Room),
                    changed_object_id=room.pk,
                    action=ObjectChange.Action.UPDATE,
                )
                .order_by("-pk")
                .first()
            )
        before = serialize_object(current)
        current.state = MeasurementState.ACCEPTED
        current.decided_by = actor
        current.decided_at = clock.now()
        current.accepted_change = change
        _save(actor, current, before, ["state", "decided_by", "decided_at", "accepted_change"])
        record_event(
            actor=actor,
            event="measurement.accept",
            obj=room,
            data={
                "source": MEASUREMENT_SOURCE,
                "measurement": current.pk,
                "inspection": str(current.inspection),
                "usable_area_before": str(previous),
                "usable_area_after": str(current.measured_area),
            },
        )
    _copy(current, measurement, ("state", "decided_by", "decided_at", "accepted_change", "version"))
    return measurement


def reject_measurement(
    *, actor, measurement: Measurement, reason: str, expected_version: int | None = None
) -> Measurement:
    """Reject a measured area with a reason; the room is left as it is."""
    _require(may_decide_measurement(actor, measurement), "只有机关事务管理员可以退回实地测量。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reject_reason": "请填写退回理由。"})
    with transaction.atomic():
        current = _lock(Measurement, measurement, expected_version)
        if current.state != MeasurementState.RECORDED:
            raise ValidationError(f"该测量已{current.get_state_display()}，不能再次处理。")
        before = serialize_object(current)
        current.state = MeasurementState.REJECTED
        current.decided_by = actor
        current.decided_at = clock.now()
        current.reject_reason = reason[:300]
        _save(actor, current, before, ["state", "decided_by", "decided_at", "reject_reason"])
        record_event(
            actor=actor,
            event="measurement.reject",
            obj=current,
            data={"reason": current.reject_reason},
        )
    _copy(current, measurement, ("state", "decided_by", "decided_at", "reject_reason", "version"))
    return measurement


def _copy(source, target, names) -> None:
    for name in names:
        setattr(target, name, getattr(source, name))


# Tip-offs ----------------------------------------------------------------------------------------------
def subject_label(subject_type: ContentType | None, subject_id: int | None) -> str:
    if subject_type is None or subject_id is None:
        return ""
    obj = subject_type.model_class()._base_manager.filter(pk=subject_id).first()
    return str(obj)[:200] if obj is not None else ""


@register
class TipService(ObjectService):
    model = Tip

    def prepare(self, *, actor, instance: Tip) -> None:
        if instance.organization_id:
            instance.region_id = instance.organization.region_id
        instance.subject_label = subject_label(instance.subject_type, instance.subject_id)

    def validate(self, *, actor, instance: Tip, before: dict | None) -> None:
        if before is not None and before["state"] in (TipState.ANSWERED, TipState.CLOSED):
            raise ValidationError(f"线索已{instance.get_state_display()}，不能修改。")
        if instance.received_on and instance.received_on > clock.today():
            raise ValidationError({"received_on": "受理日期不能晚于今天。"})
        if instance.deadline and instance.received_on and instance.deadline < instance.received_on:
            raise ValidationError({"deadline": "办理期限不能早于受理日期。"})
        if instance.assigned_to_id and not _covers(instance.assigned_to, instance.region):
            raise ValidationError({"assigned_to": "承办人的管辖范围不含线索涉及单位。"})


# A tip's steps: action -> (states it starts from, state it leads to, label).
TIP_STEPS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "assign": ((TipState.RECEIVED, TipState.ASSIGNED), TipState.ASSIGNED, "交办"),
    "check": ((TipState.ASSIGNED,), TipState.CHECKING, "开始核查"),
    "answer": ((TipState.CHECKING,), TipState.ANSWERED, "答复"),
    "close": ((TipState.ANSWERED,), TipState.CLOSED, "办结"),
    "reopen": ((TipState.ANSWERED,), TipState.CHECKING, "退回重新核查"),
}


def tip_actions(user, tip: Tip) -> list[str]:
    """The steps ``user`` may take on ``tip`` now."""
    bureau = is_bureau(user, tip.region)
    assignee = user is not None and tip.assigned_to_id == getattr(user, "pk", None)
    out = []
    for action, (sources, _, _) in TIP_STEPS.items():
        if tip.state not in sources:
            continue
        if action in ("assign", "close", "reopen") and not bureau:
            continue
        if action in ("check", "answer") and not (bureau or assignee):
            continue
        out.append(action)
    return out


def tip_transition(
    *,
    actor,
    tip: Tip,
    action: str,
    assigned_to=None,
    deadline: datetime.date | None = None,
    check_result: str = "",
    substantiated: bool | None = None,
    answer: str = "",
    expected_version: int | None = None,
) -> Tip:
    """Take one step of a tip: assign (to whom, by when), start checking, answer (what was found,
    whether it is substantiated, the answer), close, or send an answer back for checking."""
    if action not in TIP_STEPS:
        raise ValidationError({"action": "未知的办理操作。"})
    if not Tip.objects.restrict(actor, "view").filter(pk=tip.pk).exists():
        raise PermissionDenied("该线索超出您的管辖范围。")
    _, to, label = TIP_STEPS[action]
    with transaction.atomic():
        current = _lock(Tip, tip, expected_version)
        if action not in tip_actions(actor, current):
            if current.state not in TIP_STEPS[action][0]:
                raise ValidationError(f"线索处于“{current.get_state_display()}”，不能{label}。")
            raise PermissionDenied(f"您不能{label}该线索。")
        before = serialize_object(current)
        fields = ["state"]
        frm = current.state
        if action == "assign":
            if assigned_to is None:
                raise ValidationError({"assigned_to": "请选择承办人。"})
            if not _covers(assigned_to, current.region):
                raise ValidationError({"assigned_to": "承办人的管辖范围不含线索涉及单位。"})
            current.assigned_to = assigned_to
            fields.append("assigned_to")
            if deadline is not None:
                if deadline < current.received_on:
                    raise ValidationError({"deadline": "办理期限不能早于受理日期。"})
                current.deadline = deadline
                fields.append("deadline")
        elif action == "answer":
            check_result, answer = (check_result or "").strip(), (answer or "").strip()
            errors = {}
            if not check_result:
                errors["check_result"] = "请填写核查情况。"
            if substantiated is None:
                errors["substantiated"] = "请选择反映是否属实。"
            if not answer:
                errors["answer"] = "请填写答复内容。"
            if errors:
                raise ValidationError(errors)
            current.check_result, current.substantiated, current.answer = (
                check_result,
                substantiated,
                answer,
            )
            current.answered_on = clock.today()
            fields += ["check_result", "substantiated", "answer", "answered_on"]
        elif action == "close":
            current.closed_on = clock.today()
            fields.append("closed_on")
        current.state = to
        _save(actor, current, before, fields)
        record_event(
            actor=actor,
            event="tip.transition",
            obj=current,
            data={"action": label, "from": frm, "to": to},
        )
    _copy(current, tip, [*fields, "version"])
    return tip


# Photos ----------------------------------------------------------------------------------------------------
def add_photo(*, actor, inspection: Inspection, file, title: str = ""):
    """File a photo taken on site as an archives document (category 照片) of the inspection.

    The team decides who may: a supervisor on the team has no right to add documents in
    general, so the photo is filed as a document whose right this service checked
    (``archives.services.add_generated_document``).
    """
    from ..archives import services as archives

    _require(may_inspect(actor, inspection), "只有督查组成员可以上传现场照片。")
    if inspection.state == InspectionState.DONE:
        raise ValidationError("该检查已完成，不能再上传照片。")
    title = (title or "").strip()[:100] or f"{inspection.organization} 现场照片"
    return archives.add_generated_document(
        user=actor, subject=inspection, category="photo", file=file, title=title, source="现场检查"
    )


def inspections_writable(user, action: str = "add") -> models.QuerySet[Inspection]:
    """Inspections on which ``user`` may file documents (photos): those he may inspect."""
    visible = Inspection.objects.restrict(user, "view")
    if not getattr(user, "is_authenticated", False):
        return visible.none()
    scope = getattr(user, "scope_region", None)
    q = Q(inspectors=user) | Q(plan__team=user)
    if scope is not None and user.has_role(Role.BUREAU_ADMIN):
        q |= Q(region__path__startswith=scope.path)
    return visible.filter(pk__in=visible.filter(q).values("pk"))
