"""Findings, their rectification and re-check, the supervisor's urges and referrals: every write.

A finding (问题) is raised by an inspection's team, from a tip-off, or by the supervisor
(纪检监督). It names the organization, optionally the checklist item and the object it is about
(a room, a person, a building, the organization itself). When an open compliance warning says the
same — same object, a rule the item is linked to — the finding is linked to that warning; and when
an unclosed finding already carries the warning, that one is returned instead of a duplicate.

Life cycle (seed 003: 即时备案 / 当场整改 / 出方案限期整改, followed by re-checks until done)::

    open ──respond (unit)──▶ responded ──recheck: close──▶ closed
      ▲                          │
      └──── reopened ◀──recheck: reopen
    open / reopened ──recheck: close (即时备案、当场整改 only: the inspector saw it done)──▶ closed
    any state but referred ──refer (supervisor, bureau)──▶ referred

============  ===========================================  ===================================
transition    who                                          conditions
============  ===========================================  ===================================
create        bureau admin in scope, a supervisor in       限期整改 needs a deadline after
              scope, the inspection's inspectors and       today; the other kinds take none
              the plan's team, a tip's assignee
respond       the unit's administrator (its scope holds    from open or reopened; a description
              the organization), a bureau admin for it     (evidence: archives documents)
recheck       the inspection's inspectors, the plan's      close from responded (or from open /
              team, the finding's author, a bureau admin   reopened when not 限期整改); reopen
                                                           from responded with a note and may
                                                           set a new deadline
urge          supervisor, bureau admin (scope)             a finding not closed or referred,
                                                           or an active warning; a message
refer         supervisor, bureau admin (scope)             findings of one organization, none
                                                           already referred
============  ===========================================  ===================================

A supervisor writes nothing in the registry: these services are the only writes his role has.
Every transition is change-logged (the row's before/after) and the unit's accounts are notified
(workflow notifications; open findings are on their to-do page through ``findings_setup``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import NoReverseMatch

from ..accounts.models import User
from ..accounts.roles import Role
from ..compliance.models import ACTIVE_STATES as WARNING_ACTIVE_STATES
from ..compliance.models import Subject as WarningSubject
from ..compliance.models import Warning
from ..framework import clock
from ..framework.changelog import record_change, record_event, record_events, serialize_object
from ..framework.models import ObjectChange
from ..framework.versions import check_version
from ..registry.models import Building, Organization, Person, Room
from ..workflow.models import Notification
from .choices import FindingState, RectificationKind
from .models import (
    ChecklistItem,
    Finding,
    Inspection,
    Recheck,
    Rectification,
    Referral,
    Tip,
    Urge,
)

OUT_OF_SCOPE = "该问题不存在或超出您的管辖范围。"

OPEN, RESPONDED, CLOSED = FindingState.OPEN, FindingState.RESPONDED, FindingState.CLOSED
REOPENED, REFERRED = FindingState.REOPENED, FindingState.REFERRED
RECORD, ON_SITE = RectificationKind.RECORD, RectificationKind.ON_SITE
DEADLINE = RectificationKind.DEADLINE
# States in which the unit still owes a rectification.
AWAITING_UNIT = (OPEN, REOPENED)
# States in which a finding is not yet done with.
UNFINISHED = (OPEN, RESPONDED, REOPENED)

# The registry objects a finding may be about, and how a warning names the same object.
SUBJECT_MODELS: dict[type[models.Model], tuple[str, str]] = {
    Room: (WarningSubject.ROOM, "room"),
    Person: (WarningSubject.PERSON, "person"),
    Organization: (WarningSubject.ORGANIZATION, "organization"),
    Building: (WarningSubject.BUILDING, "building"),
}


# Who may do what ---------------------------------------------------------------------------------
def _roles(user) -> set[str]:
    return set(getattr(user, "roles", ()) or ())


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_supervisor(user) -> bool:
    return _active(user) and Role.SUPERVISOR in _roles(user)


def is_bureau(user) -> bool:
    return _active(user) and Role.BUREAU_ADMIN in _roles(user)


def sees_organization(user, organization: Organization) -> bool:
    return Organization.objects.restrict(user, "view").filter(pk=organization.pk).exists()


def visible_findings(user) -> models.QuerySet[Finding]:
    return Finding.objects.restrict(user, "view")


def team_ids(finding: Finding) -> set[int]:
    """The accounts that inspect ``finding``: its inspection's inspectors, the plan's team, a
    tip's assignee and the finding's author."""
    ids: set[int] = {finding.created_by_id} if finding.created_by_id else set()
    if finding.inspection_id:
        inspection = finding.inspection
        ids |= set(inspection.inspectors.values_list("pk", flat=True))
        if inspection.plan_id:
            ids |= set(inspection.plan.team.values_list("pk", flat=True))
    if finding.tip_id and finding.tip.assigned_to_id:
        ids.add(finding.tip.assigned_to_id)
    return ids


def inspection_team_ids(inspection: Inspection) -> set[int]:
    ids = set(inspection.inspectors.values_list("pk", flat=True))
    if inspection.plan_id:
        ids |= set(inspection.plan.team.values_list("pk", flat=True))
    return ids


def can_add_finding(user) -> bool:
    """Whether ``user`` may raise findings at all (a page shows its button)."""
    return is_bureau(user) or is_supervisor(user)


def can_add_for_inspection(user, inspection: Inspection) -> bool:
    """The inspection's team (a leader on it too), or a bureau admin or supervisor; all of them
    within their scope."""
    if not _active(user) or not sees_organization(user, inspection.organization):
        return False
    return user.pk in inspection_team_ids(inspection) or is_bureau(user) or is_supervisor(user)


def can_respond(user, finding: Finding) -> bool:
    """The unit's administrator answers its findings; a bureau admin may answer for it."""
    if not _active(user) or finding.state not in AWAITING_UNIT:
        return False
    roles = _roles(user)
    if Role.UNIT_ADMIN in roles and user.scope_organization_id:
        return finding.organization.path.startswith(user.scope_organization.path)
    return Role.BUREAU_ADMIN in roles and sees_organization(user, finding.organization)


def can_recheck(user, finding: Finding) -> bool:
    if not _active(user):
        return False
    if finding.state == RESPONDED or (
        finding.state in AWAITING_UNIT and finding.rectification_kind != DEADLINE
    ):
        return user.pk in team_ids(finding) or is_bureau(user)
    return False


def can_urge(user) -> bool:
    return is_supervisor(user) or is_bureau(user)


def can_urge_finding(user, finding: Finding) -> bool:
    return can_urge(user) and finding.state in UNFINISHED


def can_urge_warning(user, warning: Warning) -> bool:
    return can_urge(user) and warning.state in WARNING_ACTIVE_STATES


def can_refer(user) -> bool:
    return is_supervisor(user) or is_bureau(user)


# Overdue ---------------------------------------------------------------------------------------
def overdue_q(today: datetime.date | None = None) -> Q:
    """Findings whose rectification deadline has passed while the unit still owes it."""
    return Q(state__in=AWAITING_UNIT, deadline__isnull=False, deadline__lt=today or clock.today())


def is_overdue(finding: Finding, today: datetime.date | None = None) -> bool:
    return (
        finding.state in AWAITING_UNIT
        and finding.deadline is not None
        and finding.deadline < (today or clock.today())
    )


# Notifications ---------------------------------------------------------------------------------
def unit_accounts(organization: Organization) -> list[User]:
    """The active unit administrators whose scope holds ``organization`` (its own, a parent's)."""
    paths = [organization.path[:i] for i in range(1, len(organization.path) + 1)]
    return [
        user
        for user in User.objects.filter(is_active=True, scope_organization__path__in=paths)
        if Role.UNIT_ADMIN in (user.roles or ())
    ]


def finding_url(finding: Finding) -> str:
    try:
        return finding.get_absolute_url()
    except NoReverseMatch:
        return ""


def notify(users: Iterable[User], message: str, url: str) -> int:
    """One in-app notification per account (each once)."""
    now = clock.now()
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, message=message[:300], url=url, created_at=now))
    Notification.objects.bulk_create(rows)
    return len(rows)


def _team_accounts(finding: Finding) -> list[User]:
    return list(User.objects.filter(pk__in=team_ids(finding), is_active=True))


# Subjects and warnings -------------------------------------------------------------------------
def subject_of(finding: Finding) -> models.Model | None:
    """The registry object the finding is about (None when it names none or it was deleted)."""
    if not finding.subject_type_id or not finding.subject_id:
        return None
    model = finding.subject_type.model_class()
    if model is None:
        return None
    return model._base_manager.filter(pk=finding.subject_id).first()


def matching_warning(*, subject: models.Model | None, item: ChecklistItem | None) -> Warning | None:
    """The active warning about ``subject`` under one of ``item``'s rules, if any."""
    if subject is None or item is None or not item.rules:
        return None
    spec = SUBJECT_MODELS.get(type(subject))
    if spec is None:
        return None
    kind, lookup = spec
    return (
        Warning.objects.filter(
            subject=kind,
            state__in=WARNING_ACTIVE_STATES,
            rule__in=list(item.rules),
            **{f"{lookup}_id": subject.pk},
        )
        .order_by("pk")
        .first()
    )


def _subject_organization(subject: models.Model) -> Organization | None:
    if isinstance(subject, Organization):
        return subject
    if isinstance(subject, Room | Person):
        return subject.organization
    if isinstance(subject, Building):
        return subject.compound.owner_org
    return None


# Create ----------------------------------------------------------------------------------------
def _check_kind(kind: str, deadline: datetime.date | None, today: datetime.date) -> dict:
    errors: dict[str, str] = {}
    if kind not in (RECORD, ON_SITE, DEADLINE):
        errors["rectification_kind"] = "请选择整改方式（即时备案、当场整改或限期整改）。"
    elif kind == DEADLINE:
        if deadline is None:
            errors["deadline"] = "限期整改须填写整改期限。"
        elif deadline <= today:
            errors["deadline"] = "整改期限须晚于今天。"
    elif deadline is not None:
        label = "即时备案" if kind == RECORD else "当场整改"
        errors["deadline"] = f"“{label}”不设整改期限。"
    return errors


def create_finding(
    *,
    user,
    organization: Organization,
    description: str,
    rectification_kind: str,
    inspection: Inspection | None = None,
    tip: Tip | None = None,
    item: ChecklistItem | None = None,
    subject: models.Model | None = None,
    deadline: datetime.date | None = None,
) -> Finding:
    """Raise a finding (see the module docstring for who may). Returns the new finding, or the
    unclosed one that already carries the same warning (``finding.duplicate`` is then True)."""
    today = clock.today()
    description = (description or "").strip()
    errors = _check_kind(rectification_kind, deadline, today)
    if not description:
        errors["description"] = "请填写问题描述。"
    if inspection is not None and tip is not None:
        errors["tip"] = "问题来自检查或线索，只能选其一。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if inspection is not None:
            inspection = Inspection.objects.select_related("plan", "organization").get(
                pk=inspection.pk
            )
            if not can_add_for_inspection(user, inspection):
                raise PermissionDenied("只有本次检查的检查组成员或管辖范围内的管理员可以登记问题。")
            if organization.pk != inspection.organization_id:
                raise ValidationError({"organization": "问题的单位须为被检查单位。"})
        elif tip is not None:
            tip = Tip.objects.select_related("assigned_to").get(pk=tip.pk)
            if not (
                tip.assigned_to_id == getattr(user, "pk", None)
                or (is_bureau(user) or is_supervisor(user))
            ):
                raise PermissionDenied("只有线索承办人或管辖范围内的管理员可以据线索登记问题。")
            if not Tip.objects.restrict(user, "view").filter(pk=tip.pk).exists():
                raise ValidationError({"tip": "所选线索不存在或超出您的管辖范围。"})
        elif not can_add_finding(user):
            raise PermissionDenied("您的角色不能登记问题。")
        organization = Organization.objects.select_related("region").get(pk=organization.pk)
        if not sees_organization(user, organization):
            raise ValidationError({"organization": "所选单位不存在或超出您的管辖范围。"})
        if subject is not None:
            if type(subject) not in SUBJECT_MODELS:
                raise ValidationError({"subject": "问题对象只能是房间、人员、楼座或单位。"})
            owner = _subject_organization(subject)
            if owner is not None and not owner.path.startswith(organization.path):
                raise ValidationError({"subject": f"“{subject}”不属于“{organization}”。"})
        warning = matching_warning(subject=subject, item=item)
        if warning is not None:
            existing = (
                Finding.objects.select_for_update()
                .filter(warning=warning, state__in=UNFINISHED)
                .order_by("pk")
                .first()
            )
            if existing is not None:
                existing.duplicate = True
                return existing
        finding = Finding(
            inspection=inspection,
            tip=tip,
            organization=organization,
            region=organization.region,
            item=item,
            description=description,
            rectification_kind=rectification_kind,
            deadline=deadline if rectification_kind == DEADLINE else None,
            state=OPEN,
            warning=warning,
            created_by=user,
        )
        if subject is not None:
            finding.subject_type = ContentType.objects.get_for_model(subject)
            finding.subject_id = subject.pk
            finding.subject_label = str(subject)[:200]
        finding.full_clean()
        finding.save()
        record_change(actor=user, instance=finding, action=ObjectChange.Action.CREATE, before=None)
        _notify_unit(finding, f"新的督查问题待整改：{finding.description[:60]}")
    finding.duplicate = False
    return finding


def _notify_unit(finding: Finding, message: str) -> None:
    """In the writing transaction: a write that rolls back notifies nobody."""
    notify(
        unit_accounts(finding.organization),
        f"{finding.organization}：{message}",
        finding_url(finding),
    )


# Transitions -----------------------------------------------------------------------------------
def _lock(finding: Finding, user) -> Finding:
    if not visible_findings(user).filter(pk=finding.pk).exists():
        raise ValidationError(OUT_OF_SCOPE)
    return (
        Finding.objects.select_for_update(of=("self",))
        .select_related("organization", "inspection__plan", "tip")
        .get(pk=finding.pk)
    )


def _save(user, finding: Finding, before: dict) -> None:
    finding.version += 1
    finding.save()
    record_change(actor=user, instance=finding, action=ObjectChange.Action.UPDATE, before=before)


def respond(
    *, user, finding: Finding, description: str, expected_version: int | None = None
) -> Rectification:
    """The unit reports its rectification (evidence goes on the finding as documents)."""
    description = (description or "").strip()
    with transaction.atomic():
        current = _lock(finding, user)
        check_version(current, expected_version)
        if current.state not in AWAITING_UNIT:
            raise ValidationError(
                f"问题当前状态为“{current.get_state_display()}”，不能反馈整改情况。"
            )
        if not can_respond(user, current):
            raise PermissionDenied(
                "只有被检查单位的管理员（或机关事务管理员代为）可以反馈整改情况。"
            )
        if not description:
            raise ValidationError({"description": "请填写整改情况。"})
        rectification = Rectification(
            finding=current, responded_by=user, responded_at=clock.now(), description=description
        )
        rectification.full_clean()
        rectification.save()
        record_change(
            actor=user, instance=rectification, action=ObjectChange.Action.CREATE, before=None
        )
        before = serialize_object(current)
        current.state = RESPONDED
        _save(user, current, before)
        notify(
            _team_accounts(current),
            f"{current.organization}已反馈整改情况，待复查：{current.description[:50]}",
            finding_url(current),
        )
    _copy(current, finding)
    return rectification


def recheck(
    *,
    user,
    finding: Finding,
    result: str,
    note: str = "",
    deadline: datetime.date | None = None,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Recheck:
    """The inspector's re-check (复查): ``result`` "closed" (销号) or "reopened" (with a note, and
    for 限期整改 optionally a new deadline)."""
    today = clock.today()
    on = on or today
    note = (note or "").strip()
    if result not in (CLOSED, REOPENED):
        raise ValidationError({"result": "请选择复查结论（通过销号或未通过）。"})
    if on > today:
        raise ValidationError({"on": "复查日期不能晚于今天。"})
    with transaction.atomic():
        current = _lock(finding, user)
        check_version(current, expected_version)
        if not can_recheck(user, current):
            if current.state not in (RESPONDED, *AWAITING_UNIT):
                raise ValidationError(f"问题当前状态为“{current.get_state_display()}”，不能复查。")
            if current.state in AWAITING_UNIT and user.pk in team_ids(current) | (
                {user.pk} if is_bureau(user) else set()
            ):
                raise ValidationError("限期整改的问题须待单位反馈整改情况后再复查。")
            raise PermissionDenied("只有检查组成员或机关事务管理员可以复查。")
        errors: dict[str, str] = {}
        if result == REOPENED:
            if current.state != RESPONDED:
                errors["result"] = "单位尚未反馈整改情况，无需复查不通过；可督办。"
            if not note:
                errors["note"] = "复查未通过须说明原因。"
            if deadline is not None and deadline <= today:
                errors["deadline"] = "新的整改期限须晚于今天。"
            if deadline is not None and current.rectification_kind != DEADLINE:
                errors["deadline"] = "只有限期整改的问题设整改期限。"
        elif deadline is not None:
            errors["deadline"] = "复查通过销号无需整改期限。"
        if errors:
            raise ValidationError(errors)
        row = Recheck(finding=current, by=user, on=on, result=result, note=note)
        row.full_clean()
        row.save()
        record_change(actor=user, instance=row, action=ObjectChange.Action.CREATE, before=None)
        before = serialize_object(current)
        current.state = result
        current.closed_at = clock.now() if result == CLOSED else None
        if deadline is not None:
            current.deadline = deadline
        _save(user, current, before)
        verdict = "复查通过，已销号" if result == CLOSED else f"复查未通过：{note[:60]}"
        _notify_unit(current, f"{verdict}（{current.description[:40]}）")
    _copy(current, finding)
    return row


def _copy(source: Finding, target: Finding) -> None:
    if source is target:
        return
    for name in ("state", "deadline", "closed_at", "version", "updated_at"):
        setattr(target, name, getattr(source, name))


def urge(
    *,
    user,
    message: str,
    finding: Finding | None = None,
    warning: Warning | None = None,
) -> Urge:
    """督办: press the unit on a late rectification (a finding) or an open warning. The unit's
    accounts are notified; the urge is kept (``Urge``) and shown on the target's page."""
    message = (message or "").strip()
    if (finding is None) == (warning is None):
        raise ValidationError("督办对象须为一个问题或一条预警。")
    if not can_urge(user):
        raise PermissionDenied("只有纪检监督或机关事务管理员可以督办。")
    if not message:
        raise ValidationError({"message": "请填写督办意见。"})
    with transaction.atomic():
        if finding is not None:
            target = _lock(finding, user)
            if target.state not in UNFINISHED:
                raise ValidationError(f"问题当前状态为“{target.get_state_display()}”，无需督办。")
            organization, url = target.organization, finding_url(target)
            label = f"问题“{target.description[:40]}”"
        else:
            if not Warning.objects.restrict(user, "view").filter(pk=warning.pk).exists():
                raise ValidationError("该预警不存在或超出您的管辖范围。")
            target = Warning.objects.select_related("organization", "region").get(pk=warning.pk)
            if target.state not in WARNING_ACTIVE_STATES:
                raise ValidationError(f"预警当前状态为“{target.get_state_display()}”，无需督办。")
            if target.organization_id is None:
                raise ValidationError("该预警没有责任单位，无法督办。")
            organization, url = target.organization, target.get_absolute_url()
            label = f"预警“{target}”"
        row = Urge(
            finding=target if finding is not None else None,
            warning=target if warning is not None else None,
            organization=organization,
            region=organization.region,
            by=user,
            at=clock.now(),
            message=message,
        )
        row.full_clean()
        row.save()
        record_change(actor=user, instance=row, action=ObjectChange.Action.CREATE, before=None)
        record_event(
            actor=user, event="inspection.urge", obj=target, data={"message": message[:300]}
        )
        accounts = unit_accounts(organization)
        text = f"督办：{label}。{message}"
        notify(accounts, text, url)
    return row


# Referral --------------------------------------------------------------------------------------
def refer(
    *,
    user,
    findings: Iterable[Finding],
    recipient: str = "",
    on: datetime.date | None = None,
) -> Referral:
    """移交纪检监察: the findings (one organization's) are referred; the package (PDF + zip) is
    generated and kept as an archives document (``referrals.build_package``)."""
    from .referrals import build_package

    today = clock.today()
    on = on or today
    ids = sorted({f.pk for f in findings})
    if not can_refer(user):
        raise PermissionDenied("只有纪检监督或机关事务管理员可以移交纪检监察。")
    if not ids:
        raise ValidationError({"findings": "请至少选择一个问题。"})
    if on > today:
        raise ValidationError({"referred_on": "移交日期不能晚于今天。"})
    with transaction.atomic():
        rows = list(
            Finding.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("organization", "region")
            .order_by("pk")
        )
        visible = set(visible_findings(user).filter(pk__in=ids).values_list("pk", flat=True))
        if len(rows) != len(ids) or len(visible) != len(ids):
            raise ValidationError({"findings": "所选问题有的不存在或超出您的管辖范围。"})
        organizations = {f.organization_id for f in rows}
        if len(organizations) != 1:
            raise ValidationError({"findings": "一次移交的问题须属于同一单位。"})
        already = [f for f in rows if f.state == REFERRED]
        if already:
            raise ValidationError(
                {"findings": "问题已移交，不能重复移交：" + "、".join(str(f) for f in already)}
            )
        organization = rows[0].organization
        referral = Referral(
            organization=organization,
            region=organization.region,
            referred_on=on,
            referred_by=user,
            recipient=(recipient or "").strip() or "纪委监委",
        )
        referral.full_clean()
        referral.save()
        referral.findings.set(rows)
        changes = []
        for finding in rows:
            before = serialize_object(finding)
            finding.state = REFERRED
            finding.version += 1
            finding.save(update_fields=["state", "version", "updated_at"])
            changes.append((finding, before))
        from ..framework.changelog import record_changes

        record_changes(actor=user, changes=[(f, ObjectChange.Action.UPDATE, b) for f, b in changes])
        _pdf, package = build_package(user=user, referral=referral)
        referral.package = package
        referral.save(update_fields=["package"])
        record_change(actor=user, instance=referral, action=ObjectChange.Action.CREATE, before=None)
    return referral


def record_outcome(
    *,
    user,
    referral: Referral,
    outcome: str,
    outcome_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Referral:
    """The discipline commission's answer, recorded later (date and text)."""
    today = clock.today()
    outcome = (outcome or "").strip()
    if not can_refer(user):
        raise PermissionDenied("只有纪检监督或机关事务管理员可以登记处理结果。")
    errors: dict[str, str] = {}
    if not outcome:
        errors["outcome"] = "请填写处理结果。"
    if outcome_on is None:
        errors["outcome_on"] = "请填写处理日期。"
    elif outcome_on > today:
        errors["outcome_on"] = "处理日期不能晚于今天。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if not Referral.objects.restrict(user, "view").filter(pk=referral.pk).exists():
            raise ValidationError("该移交记录不存在或超出您的管辖范围。")
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        check_version(current, expected_version)
        if outcome_on < current.referred_on:
            raise ValidationError({"outcome_on": "处理日期不能早于移交日期。"})
        before = serialize_object(current)
        current.outcome = outcome
        current.outcome_on = outcome_on
        current.version += 1
        current.full_clean()
        current.save()
        record_change(
            actor=user, instance=current, action=ObjectChange.Action.UPDATE, before=before
        )
    for name in ("outcome", "outcome_on", "version"):
        setattr(referral, name, getattr(current, name))
    return referral


# The daily job ---------------------------------------------------------------------------------
def flag_overdue(*, today: datetime.date | None = None) -> tuple[int, int]:
    """Record ``finding.overdue`` once per finding and deadline, and notify the unit and the
    team. Returns (overdue now, newly flagged)."""
    today = today or clock.today()
    overdue = list(
        Finding.objects.filter(overdue_q(today)).select_related("organization").order_by("pk")
    )
    flagged = {
        (pk, (data or {}).get("deadline"))
        for pk, data in ObjectChange.objects.filter(
            event="finding.overdue",
            changed_object_type=ContentType.objects.get_for_model(Finding),
            changed_object_id__in=[f.pk for f in overdue],
        ).values_list("changed_object_id", "postchange_data")
    }
    fresh = [f for f in overdue if (f.pk, f.deadline.isoformat()) not in flagged]
    if fresh:
        record_events(
            actor=None,
            entries=[
                (
                    "finding.overdue",
                    f,
                    {"deadline": f.deadline.isoformat(), "days": (today - f.deadline).days},
                )
                for f in fresh
            ],
        )
        for finding in fresh:
            days = (today - finding.deadline).days
            notify(
                [*unit_accounts(finding.organization), *_team_accounts(finding)],
                f"整改逾期 {days} 天：{finding.organization}，{finding.description[:50]}",
                finding_url(finding),
            )
    return len(overdue), len(fresh)
