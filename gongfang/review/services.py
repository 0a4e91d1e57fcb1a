"""Every write of the data review: reviews and their pairs, the checks' findings, a reviewer's
finding, and a finding's life: rectified by its unit, re-checked, closed or sent back.

State machine of a finding (``FindingState``)::

    open / returned --rectify (responsible unit)--> rectified
    rectified --recheck ok (reviewer)--> closed
    rectified --recheck not ok (reviewer)--> returned

A re-check of an automatic finding re-runs its check on the object first: while the check still
finds the problem, it cannot be closed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..accounts.roles import Role
from ..framework import clock
from ..framework.changelog import record_change, record_event, serialize_object
from ..framework.models import ObjectChange
from ..framework.services import ObjectService, register
from ..registry.models import Organization
from .checks import MODEL_SUBJECT, SUBJECTS, Result, in_review, label_of, run_checks
from .models import (
    UNRECTIFIED,
    Assignment,
    Finding,
    FindingState,
    RequiredField,
    Review,
    ReviewState,
    Severity,
    Source,
)

EVENT_LABELS = {
    "review.checks": "数据会审自动核查",
    "review.rectify": "会审问题整改",
    "review.recheck": "会审问题复核",
}


def is_bureau(user) -> bool:
    return bool(getattr(user, "scope_region_id", None)) and Role.BUREAU_ADMIN in (user.roles or ())


def _require_bureau(actor, message: str) -> None:
    if not is_bureau(actor):
        raise PermissionDenied(message)


def _review_orgs_in_region(review: Review, organizations) -> None:
    outside = [o.name for o in organizations if not o.region.path.startswith(review.region.path)]
    if outside:
        raise ValidationError({"organizations": f"{'、'.join(outside)}不在会审区划内。"})


@register
class RequiredFieldService(ObjectService):
    model = RequiredField

    def validate(self, *, actor, instance: RequiredField, before: dict | None) -> None:
        _require_bureau(actor, "应填字段由机关事务管理局设定。")
        model = SUBJECTS[instance.model].model
        try:
            model._meta.get_field(instance.field)
        except Exception:
            raise ValidationError(
                {"field": f"{instance.get_model_display()}没有字段“{instance.field}”。"}
            ) from None
        try:
            model._base_manager.filter(**(instance.condition or {})).exists()
        except Exception:
            raise ValidationError({"condition": "适用条件无法识别，请检查字段名和写法。"}) from None


@register
class ReviewService(ObjectService):
    model = Review
    MANY = ("organizations", "reviewers")

    def validate(self, *, actor, instance: Review, before: dict | None) -> None:
        _require_bureau(actor, "数据会审由机关事务管理局组织。")

    def create(self, *, actor, data: dict[str, Any]):
        many = {k: data.pop(k) for k in self.MANY if k in data}
        self._require_perm(actor, "add")
        with transaction.atomic():
            instance = Review(**data)
            notices = self._save(actor=actor, instance=instance, before=None)
            self._set_many(instance, many)
        return instance, notices

    def update(self, *, actor, instance: Review, data: dict[str, Any], expected_version=None):
        many = {k: data.pop(k) for k in self.MANY if k in data}
        with transaction.atomic():
            instance, notices = super().update(
                actor=actor, instance=instance, data=data, expected_version=expected_version
            )
            self._set_many(instance, many)
        return instance, notices

    def _set_many(self, review: Review, many: dict) -> None:
        if "organizations" in many:
            _review_orgs_in_region(review, many["organizations"])
            review.organizations.set(many["organizations"])
        if "reviewers" in many:
            review.reviewers.set(many["reviewers"])


@register
class AssignmentService(ObjectService):
    model = Assignment

    def validate(self, *, actor, instance: Assignment, before: dict | None) -> None:
        _require_bureau(actor, "交叉互审由机关事务管理局安排。")
        review = instance.review
        _review_orgs_in_region(
            review, [instance.reviewed_organization, instance.reviewer_organization]
        )
        reviewer = instance.reviewer
        if reviewer is not None and reviewer.scope_organization_id != (
            instance.reviewer_organization_id
        ):
            raise ValidationError({"reviewer": "审核人须是审核单位的账号。"})


@register
class FindingService(ObjectService):
    """Pages do not create or edit findings through the generic form: see the functions below."""

    model = Finding

    def validate(self, *, actor, instance, before) -> None:
        raise PermissionDenied("会审问题由核查或会审人员提出，整改和复核在问题页面办理。")


# Reading rights of a review ----------------------------------------------------------------------
def assignments_of(user, review: Review):
    """The review's cross-review pairs in which ``user``'s unit reviews another."""
    organization_id = getattr(user, "scope_organization_id", None)
    if not organization_id or Role.UNIT_ADMIN not in (user.roles or ()):
        return Assignment.objects.none()
    return Assignment.objects.filter(review=review, reviewer_organization_id=organization_id)


def can_review(user, review: Review, organization: Organization) -> Assignment | bool:
    """Whether ``user`` may add findings on ``organization``'s data in ``review``: a bureau
    whose region holds the review (True), a unit's reviewer through its assignment (that
    assignment), else False."""
    if is_bureau(user):
        return Review.objects.restrict(user, "change").filter(pk=review.pk).exists()
    return assignments_of(user, review).filter(reviewed_organization=organization).first() or False


# The checks ---------------------------------------------------------------------------------------
def _apply(review: Review, results: list[Result]) -> dict[str, int]:
    """Write ``results`` as findings of ``review``: one per key; an existing one keeps its state
    and takes the problem's new wording (the run itself is the audited event)."""
    types = {key: ContentType.objects.get_for_model(spec.model) for key, spec in SUBJECTS.items()}
    existing = {
        f.check_key: f
        for f in Finding.objects.select_for_update().filter(
            review=review, check_key__in=[r.key for r in results]
        )
    }
    counts = {"new": 0, "updated": 0}
    new = []
    for r in results:
        finding = existing.get(r.key)
        if finding is None:
            new.append(
                Finding(
                    review=review,
                    organization_id=r.organization_id,
                    region_id=r.region_id,
                    subject=r.subject,
                    subject_type=types[r.subject],
                    subject_id=r.object_id,
                    subject_label=r.label[:200],
                    field=r.field,
                    field_label=r.field_label,
                    problem=r.problem,
                    severity=r.severity,
                    source=r.source,
                    check_key=r.key,
                )
            )
        elif finding.problem != r.problem:
            finding.problem = r.problem
            finding.version += 1
            finding.save(update_fields=["problem", "version", "updated_at"])
            counts["updated"] += 1
    Finding.objects.bulk_create(new, batch_size=1000)
    counts["new"] = len(new)
    return counts


def do_run_checks(*, review: Review, actor) -> dict[str, int]:
    """Run every automatic check over the review's scope and file what they find."""
    _require_bureau(actor, "自动核查由组织会审的机关事务管理局运行。")
    with transaction.atomic():
        review = Review.objects.restrict(actor, "change").select_for_update().get(pk=review.pk)
        if review.state != ReviewState.OPEN:
            raise ValidationError("该数据会审已结束，不能再核查。")
        results = run_checks(review, on=clock.today())
        counts = _apply(review, results)
        record_event(actor=actor, event="review.checks", obj=review, data=counts)
    return counts


def add_finding(
    *,
    review: Review,
    actor,
    obj,
    problem: str,
    severity: str = Severity.MINOR,
    field: str = "",
    field_label: str = "",
    assignment: Assignment | None = None,
) -> Finding:
    """A reviewer's own finding on ``obj`` (a registry row of the review's scope). A unit's
    reviewer files it under its cross-review pair; a bureau may name the pair it reviews for."""
    problem = (problem or "").strip()
    if not problem:
        raise ValidationError({"problem": "请填写发现的问题。"})
    subject = MODEL_SUBJECT.get(type(obj))
    if subject is None:
        raise ValidationError("该对象不能作为会审问题的对象。")
    spec = SUBJECTS[subject]
    with transaction.atomic():
        review = Review._base_manager.select_for_update().get(pk=review.pk)
        if review.state != ReviewState.OPEN:
            raise ValidationError("该数据会审已结束，不能再提出问题。")
        obj = in_review(review, subject, [obj.pk]).first()
        if obj is None:
            raise ValidationError("该对象不在本次会审范围内。")
        organization_id = spec.organization_id(obj)
        if organization_id is None:
            raise ValidationError("该对象没有责任单位，无法提出问题。")
        organization = Organization.objects.get(pk=organization_id)
        allowed = can_review(actor, review, organization)
        if not allowed:
            raise PermissionDenied("您不是该单位数据的会审人员。")
        if isinstance(allowed, Assignment):
            assignment = allowed
        elif assignment is not None and (
            assignment.review_id != review.pk
            or assignment.reviewed_organization_id != organization.pk
        ):
            raise ValidationError("所选交叉互审与该对象的单位不符。")
        finding = Finding(
            review=review,
            assignment=assignment,
            organization=organization,
            region_id=spec.region_id(obj),
            subject=subject,
            subject_type=ContentType.objects.get_for_model(spec.model),
            subject_id=obj.pk,
            subject_label=label_of(subject, obj)[:200],
            field=field,
            field_label=field_label,
            problem=problem,
            severity=severity,
            source=Source.MANUAL,
            found_by=actor,
        )
        finding.full_clean()
        finding.save()
        record_change(actor=actor, instance=finding, action=ObjectChange.Action.CREATE, before=None)
    return finding


def _locked(finding: Finding) -> Finding:
    return Finding._base_manager.select_for_update().select_related("review").get(pk=finding.pk)


def _write(finding: Finding, before: dict, actor, event: str, fields: list[str]) -> None:
    finding.version += 1
    finding.save(update_fields=[*fields, "version", "updated_at"])
    record_change(actor=actor, instance=finding, action=ObjectChange.Action.UPDATE, before=before)
    record_event(actor=actor, event=event, obj=finding, data={"state": finding.state})


def can_rectify(user, finding: Finding) -> bool:
    """The responsible unit's administrator (or a bureau over it) answers a finding."""
    if finding.state not in UNRECTIFIED:
        return False
    if Role.UNIT_ADMIN in (user.roles or ()) and getattr(user, "scope_organization_id", None):
        return (
            Finding.objects.restrict(user, "view")
            .filter(pk=finding.pk, organization__path__startswith=user.scope_organization.path)
            .exists()
        )
    return (
        is_bureau(user) and Finding.objects.restrict(user, "change").filter(pk=finding.pk).exists()
    )


def can_recheck(user, finding: Finding) -> bool:
    """A bureau over the review, or the reviewer unit of the finding's cross-review pair."""
    if finding.state != FindingState.RECTIFIED:
        return False
    if is_bureau(user):
        return Finding.objects.restrict(user, "change").filter(pk=finding.pk).exists()
    return bool(
        finding.assignment_id
        and assignments_of(user, finding.review).filter(pk=finding.assignment_id).exists()
    )


def rectify(*, finding: Finding, actor, note: str, expected_version: int | None = None) -> Finding:
    """The unit says what it put right; the finding waits for the reviewer's re-check."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写整改说明。"})
    with transaction.atomic():
        current = _locked(finding)
        if expected_version is not None and current.version != expected_version:
            raise ValidationError("该问题已被他人处理，请刷新页面后再办理。")
        if not can_rectify(actor, current):
            raise PermissionDenied("您不能整改该问题（已整改或不是责任单位）。")
        before = serialize_object(current)
        current.state = FindingState.RECTIFIED
        current.rectification = note
        current.rectified_at = timezone.now()
        current.rectified_by = actor
        _write(
            current,
            before,
            actor,
            "review.rectify",
            ["state", "rectification", "rectified_at", "rectified_by"],
        )
    return current


def still_found(finding: Finding) -> bool:
    """Whether the automatic check that raised ``finding`` still finds its problem."""
    if not finding.is_automatic:
        return False
    results = run_checks(
        finding.review, on=clock.today(), only=(finding.subject, [finding.subject_id])
    )
    return any(r.key == finding.check_key for r in results)


def recheck(
    *,
    finding: Finding,
    actor,
    passed: bool,
    note: str = "",
    expected_version: int | None = None,
) -> Finding:
    """The reviewer's verdict: closed, or sent back with the reason. An automatic finding is
    closed only when its check no longer finds the problem."""
    note = (note or "").strip()
    with transaction.atomic():
        current = _locked(finding)
        if expected_version is not None and current.version != expected_version:
            raise ValidationError("该问题已被他人处理，请刷新页面后再办理。")
        if not can_recheck(actor, current):
            raise PermissionDenied("您不能复核该问题（尚未整改或不是会审人员）。")
        if passed and still_found(current):
            raise ValidationError("重新核查仍发现该问题，不能销号；请退回单位继续整改。")
        if not passed and not note:
            raise ValidationError({"note": "退回须写明理由。"})
        before = serialize_object(current)
        current.recheck_note = note
        current.rechecked_by = actor
        fields = ["state", "recheck_note", "rechecked_by"]
        if passed:
            current.state = FindingState.CLOSED
            current.closed_at = timezone.now()
            fields.append("closed_at")
        else:
            current.state = FindingState.RETURNED
            current.returned_count += 1
            fields.append("returned_count")
        _write(current, before, actor, "review.recheck", fields)
    return current


def close_review(*, review: Review, actor) -> Review:
    _require_bureau(actor, "数据会审由机关事务管理局结束。")
    with transaction.atomic():
        current = Review.objects.restrict(actor, "change").select_for_update().get(pk=review.pk)
        before = serialize_object(current)
        current.state = ReviewState.CLOSED
        current.version += 1
        current.save(update_fields=["state", "version", "updated_at"])
        record_change(
            actor=actor, instance=current, action=ObjectChange.Action.UPDATE, before=before
        )
    return current
