"""Services of reporting: every write, and who may make it.

The role table gives the bureau ALL on reporting and everyone else VIEW; the finer rights are
decided here:

* a unit's account (单位系统管理员 scoped to the organization) fills, checks, signs, submits and
  withdraws its organization's submission; a bureau account does the same for its region's own
  submission (本级);
* the bureau of the receiving region accepts or returns what reaches it; a bureau opens periods
  for its region subtree and edits the form versions of its own region.

Each transition locks the submission, checks its state, writes it, a history entry and an event.
A bureau's own submission goes up only after every child is accepted (DHIS2's rule); an accepted
submission is never written again — a correction is a new revision with its reason.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..accounts.roles import Role
from ..framework import clock
from ..framework.changelog import (
    record_change,
    record_event,
    register_event_labels,
    serialize_object,
)
from ..framework.services import ObjectService, register
from ..framework.versions import check_version
from ..registry.choices import OrganizationStatus
from ..registry.models import Organization, Region
from . import prefill, rules
from .choices import (
    EDITABLE_STATES,
    ActionKind,
    FieldKind,
    IndicatorKind,
    PeriodState,
    SubmissionState,
    TableScope,
)
from .models import (
    EvaluationIndicator,
    EvaluationScore,
    ReportField,
    ReportForm,
    ReportPeriod,
    ReportTable,
    Submission,
    SubmissionAction,
    ValidationRule,
)

register_event_labels(
    {
        "reportperiod.open": "发起统计报送",
        "submission.transition": "统计报送状态变更",
        "submission.correct": "统计报送更正",
        "reportform.copy": "复制统计报表版本",
        "reportperiod.evaluate": "统计报送考评",
        "reportperiod.remind": "统计报送催报",
        "reportperiod.close": "结束统计报送期",
        "submission.returned_externally": "上级系统退回统计报送",
    }
)

# Refusal of a return outside exchange: the return package is what tells the system below.
EXTERNAL_RETURN = "该报送来自下级系统，请在“数据交换”中退回，以便生成退回包送达下级系统。"
SCAN_TYPES = {b"%PDF": ".pdf", b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg"}
MAX_SCAN_BYTES = 10 * 1024 * 1024


# Who may -------------------------------------------------------------------------------------------
def is_bureau_of(user, region: Region | None) -> bool:
    """``user`` is a bureau account scoped to exactly ``region``."""
    return bool(
        region is not None
        and user.has_role(Role.BUREAU_ADMIN)
        and getattr(user, "scope_region_id", None) == region.pk
    )


def covers(user, region: Region) -> bool:
    scope = getattr(user, "scope_region", None)
    return bool(scope is not None and region.path.startswith(scope.path))


def may_fill(user, submission: Submission) -> bool:
    """The reporting unit's own account: the organization's unit admin, or the region's bureau."""
    if submission.organization_id:
        org = getattr(user, "scope_organization", None)
        return bool(
            org is not None
            and user.has_role(Role.UNIT_ADMIN)
            and submission.organization.path.startswith(org.path)
        )
    return is_bureau_of(user, submission.region)


def may_decide(user, submission: Submission) -> bool:
    """The bureau of the receiving region."""
    return is_bureau_of(user, submission.receiver)


def may_edit_form(user, form: ReportForm) -> bool:
    """A form version is edited by the bureau of its region, never the national one, and only
    while no period uses it."""
    return (
        form.region_id is not None and is_bureau_of(user, form.region) and not form.periods.exists()
    )


# Reporting units ----------------------------------------------------------------------------------
def tables_for(form: ReportForm, submission_or_unit, tables=None) -> list[ReportTable]:
    """The tables a unit fills: all units the common ones, bureaus also theirs, the province
    bureau also the province-only ones (``tables``: the form's, already read)."""
    organization_id = submission_or_unit.organization_id
    region = submission_or_unit.region
    chosen = []
    for table in form.tables.all() if tables is None else tables:
        if table.filled_by == TableScope.ALL or (
            organization_id is None
            and (table.filled_by == TableScope.BUREAU or region.level == "province")
        ):
            chosen.append(table)
    return chosen


def fields_for(form: ReportForm, submission_or_unit) -> list[ReportField]:
    return [f for t in tables_for(form, submission_or_unit) for f in t.fields.all()]


def form_fields(form: ReportForm) -> list[ReportField]:
    return list(ReportField.objects.filter(table__form=form).select_related("table"))


def _as_of_moment(period: ReportPeriod) -> datetime.datetime | None:
    """The end of the period's date, or None (today's rows) when that is still to come."""
    end = timezone.make_aware(datetime.datetime.combine(period.as_of, datetime.time.max))
    return None if end >= clock.now() else end


# Periods ------------------------------------------------------------------------------------------
def _units(region: Region) -> list[tuple[Region, Organization | None, Region | None]]:
    """(region, organization or None for the bureau, receiver) of every unit in the subtree."""
    regions = list(Region.objects.filter(path__startswith=region.path).order_by("path"))
    by_id = {r.pk: r for r in regions}
    units: list[tuple[Region, Organization | None, Region | None]] = []
    for r in regions:
        receiver = by_id.get(r.parent_id) if r.pk != region.pk else None
        units.append((r, None, receiver))
    orgs = Organization.objects.filter(
        region__in=regions, status=OrganizationStatus.ACTIVE
    ).order_by("path")
    units += [(by_id[o.region_id], o, by_id[o.region_id]) for o in orgs]
    return units


def do_open_period(
    *,
    form: ReportForm,
    region: Region,
    year: int,
    as_of: datetime.date,
    deadline: datetime.date,
    actor,
) -> ReportPeriod:
    """Open a period for ``region``'s subtree: one submission per unit, pre-filled from the
    registry as of ``as_of``."""
    if not is_bureau_of(actor, region):
        raise PermissionDenied("只有本区划的机关事务管理部门可以发起统计报送。")
    if deadline < as_of:
        raise ValidationError({"deadline": "报送截止日期不能早于统计时点。"})
    if ReportPeriod.objects.filter(region=region, year=year, form=form).exists():
        raise ValidationError({"year": f"{region.name}{year}年度已发起此报表的报送。"})
    with transaction.atomic():
        period = ReportPeriod.objects.create(
            form=form,
            region=region,
            year=year,
            as_of=as_of,
            deadline=deadline,
            opened_by=actor,
        )
        units = _units(region)
        fields = form_fields(form)
        at = _as_of_moment(period)
        values = prefill.prefill_units(
            fields,
            [prefill.Unit(r.pk, o.pk if o else None) for r, o, _ in units],
            at=at,
        )
        contacts = _last_contacts(
            [prefill.Unit(r.pk, o.pk if o else None).key for r, o, _ in units]
        )
        tables = list(form.tables.prefetch_related("fields"))
        codes: dict[tuple, set[str]] = {}
        rows = []
        for r, o, receiver in units:
            key = prefill.Unit(r.pk, o.pk if o else None).key
            kind = (o is None, r.level == "province")
            if kind not in codes:
                chosen = tables_for(form, _UnitRef(r, o.pk if o else None), tables)
                codes[kind] = {f.code for t in chosen for f in t.fields.all()}
            wanted = codes[kind]
            filled = {k: v for k, v in values[key].items() if k in wanted}
            name, phone = contacts.get(key, ("", ""))
            rows.append(
                Submission(
                    period=period,
                    region=r,
                    organization=o,
                    receiver=receiver,
                    unit_key=key,
                    values=dict(filled),
                    prefilled=filled,
                    contact_name=name,
                    contact_phone=phone,
                )
            )
        Submission.objects.bulk_create(rows, batch_size=500)
        record_change(actor=actor, instance=period, action="create", before=None)
        record_event(actor=actor, event="reportperiod.open", obj=period, data={"count": len(rows)})
    return period


class _UnitRef:
    """A unit before its submission exists (for :func:`tables_for`)."""

    def __init__(self, region: Region, organization_id: int | None) -> None:
        self.region = region
        self.organization_id = organization_id


def _last_contacts(keys: list[str]) -> dict[str, tuple[str, str]]:
    """The contact person (联络人) each unit named last time, so it is kept current."""
    found: dict[str, tuple[str, str]] = {}
    for key, name, phone in (
        Submission.objects.filter(unit_key__in=keys)
        .exclude(contact_name="")
        .order_by("created_at")
        .values_list("unit_key", "contact_name", "contact_phone")
    ):
        found[key] = (name, phone)
    return found


# Transitions --------------------------------------------------------------------------------------
def _lock(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("period__form", "region", "organization", "receiver")
        .get(pk=submission.pk)
    )


def _transition(
    submission: Submission,
    *,
    actor,
    to: str,
    action: str,
    comment: str = "",
    fields: tuple[str, ...] = (),
) -> None:
    """Write the new state (and ``fields``), a history entry and the event."""
    before = submission.state
    submission.state = to
    submission.version += 1
    submission.save(update_fields=["state", "version", "updated_at", *fields])
    SubmissionAction.objects.create(
        submission=submission, action=action, actor=actor, at=clock.now(), comment=comment
    )
    record_event(
        actor=actor,
        event="submission.transition",
        obj=submission,
        data={"from": before, "to": to, "action": action, "comment": comment[:300]},
    )


def _require_fill(actor, submission: Submission) -> None:
    if not may_fill(actor, submission):
        raise PermissionDenied("只有填报单位本身可以填报、签批、报送或撤回。")
    if not submission.is_current:
        raise ValidationError("这是已被更正替代的历史版次，不能再修改。")
    if submission.period.state != PeriodState.OPEN:
        raise ValidationError("该报送期已结束。")


def clean_values(form: ReportForm, submission: Submission, values: dict) -> dict:
    """The cells a unit may fill, as text (a number keeps what was typed; format is checked by
    :func:`do_check`); unknown codes are refused by name."""
    allowed = {f.code: f for f in fields_for(form, submission)}
    unknown = [k for k in values if k not in allowed]
    if unknown:
        raise ValidationError(f"报表中没有指标：{'、'.join(map(str, unknown[:5]))}。")
    cleaned = {}
    for code, value in values.items():
        text = "" if value is None else str(value).strip()
        if len(text) > 200:
            raise ValidationError(f"“{code} {allowed[code].label}”过长（最多 200 字）。")
        cleaned[code] = text
    return cleaned


def do_save(
    *,
    submission: Submission,
    values: dict,
    actor,
    expected_version: int | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    action: str = ActionKind.SAVE,
) -> Submission:
    """Store edited cells; a checked or signed submission goes back to 填报中."""
    with transaction.atomic():
        submission = _lock(submission)
        _require_fill(actor, submission)
        check_version(submission, expected_version)
        if submission.state not in EDITABLE_STATES | {
            SubmissionState.CHECKED,
            SubmissionState.SIGNED,
        }:
            raise ValidationError(f"当前状态“{submission.get_state_display()}”不能修改数据。")
        before = serialize_object(submission)
        new_values = {
            **submission.values,
            **clean_values(submission.period.form, submission, values),
        }
        submission.values = new_values
        fields = ["values", "signed_by", "signed_at", "content_hash", "check_results"]
        submission.signed_by = None
        submission.signed_at = None
        submission.content_hash = ""
        submission.check_results = []
        if contact_name is not None:
            submission.contact_name = contact_name.strip()[:50]
            submission.contact_phone = (contact_phone or "").strip()[:20]
            fields += ["contact_name", "contact_phone"]
        _transition(
            submission, actor=actor, to=SubmissionState.FILLING, action=action, fields=tuple(fields)
        )
        record_change(actor=actor, instance=submission, action="update", before=before)
    return submission


def do_prefill(*, submission: Submission, actor) -> Submission:
    """Fill the cells again from the registry as of the period's date (unsaved edits lost)."""
    form = submission.period.form
    fields = fields_for(form, submission)
    unit = prefill.Unit(submission.region_id, submission.organization_id)
    values = prefill.prefill_units(fields, [unit], at=_as_of_moment(submission.period))[unit.key]
    with transaction.atomic():
        locked = _lock(submission)
        locked.prefilled = values
        locked.save(update_fields=["prefilled"])
    return do_save(submission=submission, values=values, actor=actor, action=ActionKind.PREFILL)


def check_findings(submission: Submission) -> list[dict]:
    form = submission.period.form
    fields = fields_for(form, submission)
    codes = {f.code for f in fields}
    found = rules.run_checks(fields, form.rules.all(), submission.values)
    # A rule over cells this unit does not fill (a bureau's table) does not apply to it.
    return [f.to_json() for f in found if not f.cells or set(f.cells) <= codes]


def do_check(*, submission: Submission, actor, expected_version: int | None = None) -> Submission:
    """Run the format checks and the form's rules; no blocking finding: 已校验."""
    with transaction.atomic():
        submission = _lock(submission)
        check_version(submission, expected_version)
        _require_fill(actor, submission)
        if submission.state not in EDITABLE_STATES | {SubmissionState.CHECKED}:
            raise ValidationError(f"当前状态“{submission.get_state_display()}”不需要校验。")
        findings = check_findings(submission)
        blocking = rules.blocking(findings)
        submission.check_results = findings
        submission.checked_at = clock.now()
        fields = ["check_results", "checked_at"]
        if submission.first_check_passed is None:
            submission.first_check_passed = not blocking
            fields.append("first_check_passed")
        to = SubmissionState.FILLING if blocking else SubmissionState.CHECKED
        comment = f"必须更正 {len(blocking)} 项，提示 {len(findings) - len(blocking)} 项"
        _transition(
            submission,
            actor=actor,
            to=to,
            action=ActionKind.CHECK,
            comment=comment,
            fields=tuple(fields),
        )
    return submission


def canonical_content(submission: Submission) -> bytes:
    content = submission_content(submission)
    content.pop("signature", None)
    content.pop("state", None)
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _scan_suffix(data: bytes) -> str:
    for magic, suffix in SCAN_TYPES.items():
        if data.startswith(magic):
            return suffix
    raise ValidationError({"scan": "签批扫描件应为 PDF、PNG 或 JPG 文件。"})


def do_sign(
    *,
    submission: Submission,
    actor,
    password: str,
    otp: str,
    signer_name: str,
    signer_title: str = "",
    scan: bytes,
) -> Submission:
    """The principal's sign-off: identity confirmed again, the content hashed, the scanned
    signed page kept."""
    from django.core.files.base import ContentFile

    from ..workflow.signing import confirm_identity, digest

    if not signer_name.strip():
        raise ValidationError({"signer_name": "请填写签批领导姓名。"})
    if not scan:
        raise ValidationError({"scan": "请上传签批页扫描件。"})
    if len(scan) > MAX_SCAN_BYTES:
        raise ValidationError({"scan": "签批扫描件不能超过 10 MB。"})
    suffix = _scan_suffix(scan)
    if not may_fill(actor, submission):
        raise PermissionDenied("只有填报单位本身可以签批。")
    # Outside the transaction: a failed attempt stays counted (workflow.signing).
    method = confirm_identity(user=actor, password=password, otp=otp)
    with transaction.atomic():
        submission = _lock(submission)
        _require_fill(actor, submission)
        if submission.state != SubmissionState.CHECKED:
            raise ValidationError("请先通过校验再签批。")
        submission.signer_name = signer_name.strip()[:50]
        submission.signer_title = signer_title.strip()[:60]
        submission.signed_by = actor
        submission.signed_at = clock.now()
        submission.signature_method = method
        algorithm, value = digest(canonical_content(submission))
        submission.content_hash = f"{algorithm}:{value}"
        name = f"{submission.period_id}-{submission.unit_key.replace(':', '-')}-{submission.revision}{suffix}"
        submission.signed_scan.save(name, ContentFile(scan), save=False)
        _transition(
            submission,
            actor=actor,
            to=SubmissionState.SIGNED,
            action=ActionKind.SIGN,
            comment=f"签批领导：{submission.signer_name}",
            fields=(
                "signer_name",
                "signer_title",
                "signed_by",
                "signed_at",
                "signature_method",
                "content_hash",
                "signed_scan",
            ),
        )
    return submission


def children(submission: Submission):
    """The current submissions that report to this bureau submission (none for a unit)."""
    if not submission.is_bureau:
        return Submission.objects.none()
    return Submission.objects.filter(
        period=submission.period, receiver=submission.region, is_current=True
    )


def missing_children(submission: Submission) -> list[Submission]:
    return list(
        children(submission)
        .exclude(state=SubmissionState.ACCEPTED)
        .select_related("region", "organization")
    )


def do_submit(*, submission: Submission, actor, expected_version: int | None = None) -> Submission:
    """Send the signed figures up; a bureau's only after all its children are accepted."""
    with transaction.atomic():
        submission = _lock(submission)
        check_version(submission, expected_version)
        _require_fill(actor, submission)
        if submission.state != SubmissionState.SIGNED:
            raise ValidationError("请先校验并由负责人签批后再报送。")
        waiting = list(
            children(submission)
            .select_for_update(of=("self",))
            .exclude(state=SubmissionState.ACCEPTED)
            .order_by("pk")
        )
        if waiting:
            names = "、".join(s.unit_name for s in waiting[:5])
            more = f"等 {len(waiting)} 个单位" if len(waiting) > 5 else ""
            raise ValidationError(f"下级报送尚未全部接收，不能上报：{names}{more}。")
        submission.submitted_at = clock.now()
        submission.return_reasons = ""
        # Submitted on this system: no longer the figures of a package from a system below.
        submission.external = False
        _transition(
            submission,
            actor=actor,
            to=SubmissionState.SUBMITTED,
            action=ActionKind.SUBMIT,
            fields=("submitted_at", "return_reasons", "external"),
        )
    return submission


def do_withdraw(
    *, submission: Submission, actor, reason: str = "", expected_version: int | None = None
) -> Submission:
    """The submitter takes a submission back before the level above decides."""
    with transaction.atomic():
        submission = _lock(submission)
        check_version(submission, expected_version)
        _require_fill(actor, submission)
        if submission.state != SubmissionState.SUBMITTED:
            raise ValidationError("只有已报送、尚未接收的报送可以撤回。")
        _transition(
            submission,
            actor=actor,
            to=SubmissionState.FILLING,
            action=ActionKind.WITHDRAW,
            comment=reason,
        )
    return submission


def _receiver_open(submission: Submission) -> None:
    """The receiving bureau decides only while the period is open and its own figures have not
    gone up."""
    if submission.period.state != PeriodState.OPEN:
        raise ValidationError("该报送期已结束。")
    own = Submission.objects.filter(
        period=submission.period,
        unit_key=f"region:{submission.receiver_id}",
        is_current=True,
        state__in=[SubmissionState.SUBMITTED, SubmissionState.ACCEPTED],
    )
    if own.exists():
        raise ValidationError("本级汇总已上报，不能再接收或退回下级报送；请先撤回本级报送。")


def do_return(
    *, submission: Submission, reasons: str, actor, expected_version: int | None = None
) -> Submission:
    """The level above sends a submission back with its reasons.

    A submission imported from a lower deployment is refused here: only exchange's return
    (:func:`do_return_external`) makes the signed return package that tells the system below;
    returned here, the county would never know."""
    return _return(
        submission,
        reasons=reasons,
        actor=actor,
        expected_version=expected_version,
        external=False,
    )


def _return(
    submission: Submission, *, reasons: str, actor, expected_version: int | None, external: bool
) -> Submission:
    """A return by the receiving bureau; ``external``: through exchange, which alone may return
    what came from a system below (and only that)."""
    if not (reasons or "").strip():
        raise ValidationError({"reasons": "退回须写明原因。"})
    with transaction.atomic():
        submission = _lock(submission)
        check_version(submission, expected_version)
        if not may_decide(actor, submission):
            raise PermissionDenied("只有接收单位可以退回。")
        if submission.state != SubmissionState.SUBMITTED:
            raise ValidationError("只有已报送、尚未接收的报送可以退回。")
        if submission.external and not external:
            raise ValidationError(EXTERNAL_RETURN)
        if external and not submission.external:
            raise ValidationError(
                "该报送已在本系统内重新报送，不再是下级系统报送包导入的数据，请在“统计报送”中退回。"
            )
        _receiver_open(submission)
        _returned(submission, actor=actor, reasons=reasons, prefix="")
    return submission


def _returned(submission: Submission, *, actor, reasons: str, prefix: str) -> None:
    """Write 已退回 with the reasons (the history entry's comment starts with ``prefix``)."""
    submission.return_reasons = reasons.strip()
    submission.decided_at = clock.now()
    _transition(
        submission,
        actor=actor,
        to=SubmissionState.RETURNED,
        action=ActionKind.RETURN,
        comment=f"{prefix}{submission.return_reasons}",
        fields=("return_reasons", "decided_at"),
    )


def do_receive_return(*, submission: Submission, reasons: str, actor) -> Submission:
    """The system above (another deployment) returned our signed figures through a verified
    return package: our own submission goes back to 已退回 with its reasons, to be corrected
    and sent again."""
    if not (reasons or "").strip():
        raise ValidationError({"reasons": "退回须写明原因。"})
    with transaction.atomic():
        submission = _lock(submission)
        bureau = actor.has_role(Role.BUREAU_ADMIN) and covers(actor, submission.region)
        if not (bureau or may_fill(actor, submission)):
            raise PermissionDenied("只有填报单位或本区划的机关事务管理部门可以登记上级退回。")
        if not submission.is_current:
            raise ValidationError("这是已被更正替代的历史版次，不能再退回。")
        if submission.state not in (SubmissionState.SIGNED, SubmissionState.SUBMITTED):
            raise ValidationError(
                f"本系统的报送当前为“{submission.get_state_display()}”，不是已签批或已报送，"
                "未改为已退回。"
            )
        _returned(submission, actor=actor, reasons=reasons, prefix="上级系统退回：")
        record_event(
            actor=actor,
            event="submission.returned_externally",
            obj=submission,
            data={"comment": submission.return_reasons[:300]},
        )
    return submission


def do_accept(*, submission: Submission, actor, expected_version: int | None = None) -> Submission:
    """The level above accepts: the submission is frozen from now on."""
    with transaction.atomic():
        submission = _lock(submission)
        check_version(submission, expected_version)
        if not may_decide(actor, submission):
            raise PermissionDenied("只有接收单位可以接收。")
        if submission.state != SubmissionState.SUBMITTED:
            raise ValidationError("只有已报送的报送可以接收。")
        _receiver_open(submission)
        submission.decided_at = clock.now()
        _transition(
            submission,
            actor=actor,
            to=SubmissionState.ACCEPTED,
            action=ActionKind.ACCEPT,
            fields=("decided_at",),
        )
        previous = submission.previous
        if previous is not None and previous.state == SubmissionState.ACCEPTED:
            Submission.objects.filter(pk=previous.pk).update(state=SubmissionState.SUPERSEDED)
    return submission


def do_correct(
    *, submission: Submission, reason: str, actor, expected_version: int | None = None
) -> Submission:
    """A correction of accepted figures: a new revision (filling) beside the frozen one."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "更正须写明原因。"})
    with transaction.atomic():
        submission = _lock(submission)
        check_version(submission, expected_version)
        _require_fill(actor, submission)
        if submission.state != SubmissionState.ACCEPTED:
            raise ValidationError("只有已接收的报送需要以更正方式修改。")
        if submission.receiver_id:
            _receiver_open(submission)
        Submission.objects.filter(pk=submission.pk).update(is_current=False)
        new = Submission.objects.create(
            period=submission.period,
            region=submission.region,
            organization=submission.organization,
            receiver=submission.receiver,
            unit_key=submission.unit_key,
            revision=submission.revision + 1,
            previous=submission,
            correction_reason=reason.strip()[:300],
            state=SubmissionState.FILLING,
            values=dict(submission.values),
            prefilled=dict(submission.prefilled),
            first_check_passed=submission.first_check_passed,
            contact_name=submission.contact_name,
            contact_phone=submission.contact_phone,
        )
        SubmissionAction.objects.create(
            submission=new, action=ActionKind.CORRECT, actor=actor, at=clock.now(), comment=reason
        )
        record_event(
            actor=actor,
            event="submission.correct",
            obj=new,
            data={"previous": submission.pk, "comment": reason[:300]},
        )
    return new


def do_close_period(
    *, period: ReportPeriod, actor, reason: str = "", expected_version: int | None = None
) -> ReportPeriod:
    """The opening bureau ends the period: when every unit's submission has been accepted, or
    earlier by its explicit decision with a reason (what is still open is named in the log)."""
    reason = (reason or "").strip()

    def check(period: ReportPeriod) -> dict:
        if period.state != PeriodState.OPEN:
            raise ValidationError("该报送期已结束。")
        pending = (
            Submission.objects.filter(period=period, is_current=True, receiver__isnull=False)
            .exclude(state=SubmissionState.ACCEPTED)
            .count()
        )
        if pending and not reason:
            raise ValidationError(
                {"reason": f"尚有 {pending} 个单位的报送未接收；提前结束须写明理由。"}
            )
        return {"pending": pending, "comment": reason[:300]}

    return _move_period(
        period, actor, PeriodState.CLOSED, "reportperiod.close", check, expected_version
    )


def do_reopen_period(
    *, period: ReportPeriod, actor, reason: str = "", expected_version: int | None = None
) -> ReportPeriod:
    """The opening bureau opens an ended period again (a correction found after the close),
    always with its reason; units then correct, sign and submit as before."""
    reason = (reason or "").strip()

    def check(period: ReportPeriod) -> dict:
        if period.state != PeriodState.CLOSED:
            raise ValidationError("该报送期未结束，无需重新开启。")
        if not reason:
            raise ValidationError({"reason": "重新开启报送期须写明理由。"})
        return {"comment": reason[:300]}

    return _move_period(
        period, actor, PeriodState.OPEN, "reportperiod.reopen", check, expected_version
    )


def _move_period(period, actor, to: str, event: str, check, expected_version) -> ReportPeriod:
    """Lock the period, let ``check`` refuse or give the event's data, move it to ``to`` and
    log the change and the event."""
    if not is_bureau_of(actor, period.region):
        raise PermissionDenied("只有发起报送的机关事务管理部门可以结束或重新开启报送期。")
    with transaction.atomic():
        period = ReportPeriod.objects.select_for_update(of=("self",)).get(pk=period.pk)
        check_version(period, expected_version)
        data = check(period)
        before = serialize_object(period)
        period.state = to
        period.version += 1
        period.save(update_fields=["state", "version", "updated_at"])
        record_change(actor=actor, instance=period, action="update", before=before)
        record_event(actor=actor, event=event, obj=period, data=data)
    return period


# Between deployments (used by app exchange) -------------------------------------------------------
def submission_content(submission: Submission) -> dict:
    """The submission as canonical, JSON-able data: what is signed and what travels."""
    period = submission.period
    form = period.form
    org = submission.organization
    return {
        "form": {"name": form.name, "year": form.year, "number": form.number},
        "period": {
            "region": period.region.code,
            "year": period.year,
            "as_of": period.as_of.isoformat(),
        },
        "unit": {
            "region": submission.region.code,
            "organization": (
                {"uscc": org.uscc or "", "name": org.name} if org is not None else None
            ),
        },
        "revision": submission.revision,
        "correction_reason": submission.correction_reason,
        "values": {k: submission.values[k] for k in sorted(submission.values)},
        "contact": {"name": submission.contact_name, "phone": submission.contact_phone},
        "signature": {
            "signer": submission.signer_name,
            "title": submission.signer_title,
            "signed_at": submission.signed_at.isoformat() if submission.signed_at else None,
            "content_hash": submission.content_hash,
        },
        "state": submission.state,
    }


def do_return_external(*, submission: Submission, reasons: str, actor) -> Submission:
    """Return a submission imported from a lower deployment; the caller (exchange) makes, in the
    same transaction, the signed return package that carries the return down."""
    return _return(submission, reasons=reasons, actor=actor, expected_version=None, external=True)


def do_receive_external(
    *, period: ReportPeriod, unit, content: dict, signer: str, signed_at: datetime.datetime, actor
) -> Submission:
    """A submission from another deployment (a county's own gongfang), verified by the caller,
    imported as that unit's submitted submission. ``unit``: an Organization or a Region."""
    is_org = isinstance(unit, Organization)
    key = f"org:{unit.pk}" if is_org else f"region:{unit.pk}"
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("period__form", "region", "organization", "receiver")
            .filter(period=period, unit_key=key, is_current=True)
            .first()
        )
        if submission is None:
            raise ValidationError(f"报送期中没有单位“{unit}”。")
        if not may_decide(actor, submission):
            raise PermissionDenied("只有接收单位可以导入下级系统的报送。")
        if submission.state in (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED):
            raise ValidationError(f"“{submission.unit_name}”本期已报送，不能重复导入。")
        values = clean_values(period.form, submission, dict(content.get("values") or {}))
        submission.values = values
        submission.signer_name = str(signer)[:50]
        submission.signed_at = signed_at
        submission.signature_method = "external"
        algorithm_value = hashlib.sha256(
            json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
        ).hexdigest()
        submission.content_hash = f"sha256:{algorithm_value}"
        submission.submitted_at = clock.now()
        submission.external = True
        contact = content.get("contact") or {}
        submission.contact_name = str(contact.get("name") or submission.contact_name)[:50]
        submission.contact_phone = str(contact.get("phone") or submission.contact_phone)[:20]
        submission.check_results = check_findings(submission)
        _transition(
            submission,
            actor=actor,
            to=SubmissionState.SUBMITTED,
            action=ActionKind.RECEIVE,
            comment=f"签批领导：{submission.signer_name}",
            fields=(
                "values",
                "signer_name",
                "signed_at",
                "signature_method",
                "content_hash",
                "submitted_at",
                "external",
                "contact_name",
                "contact_phone",
                "check_results",
            ),
        )
    return submission


# Forms --------------------------------------------------------------------------------------------
def do_copy_form(*, form: ReportForm, region: Region, actor) -> ReportForm:
    """A region's own editable version: a copy of ``form`` with its tables, fields and rules."""
    if not is_bureau_of(actor, region) or region.level != "province":
        raise PermissionDenied("只有省级机关事务管理部门可以复制报表形成本省版本。")
    with transaction.atomic():
        number = (
            ReportForm.objects.filter(region=region, year=form.year).order_by("-number").first()
        )
        copy = ReportForm.objects.create(
            name=form.name,
            year=form.year,
            number=(number.number + 1) if number else 1,
            source=form.source,
            region=region,
            based_on=form,
            note=f"复制自{form}",
        )
        for table in form.tables.all():
            fields = list(table.fields.all())
            table.pk = None
            table.form = copy
            table.save()
            for field in fields:
                field.pk = None
                field.table = table
            ReportField.objects.bulk_create(fields)
        rules_ = list(form.rules.all())
        for rule in rules_:
            rule.pk = None
            rule.form = copy
        ValidationRule.objects.bulk_create(rules_)
        record_event(actor=actor, event="reportform.copy", obj=copy, data={"source": form.pk})
    return copy


def validate_rule(rule: ValidationRule) -> None:
    """A rule's expressions are checked before they are stored (Chinese message)."""
    import re

    from .choices import RuleOperator

    codes = set(ReportField.objects.filter(table__form=rule.form_id).values_list("code", flat=True))
    try:
        used = list(rules.names(rule.left))
        if rule.operator == RuleOperator.PATTERN:
            re.compile(rule.right)
        elif rule.operator != RuleOperator.REQUIRED:
            used += rules.names(rule.right)
    except rules.ExpressionError as exc:
        raise ValidationError(str(exc)) from exc
    except re.error as exc:
        raise ValidationError({"right": "正则表达式无法识别。"}) from exc
    unknown = [c for c in used if c not in codes]
    if unknown:
        raise ValidationError(f"报表中没有指标：{'、'.join(unknown)}。")


# Evaluation and reminders -------------------------------------------------------------------------
def do_evaluate(*, period: ReportPeriod, actor) -> int:
    """Score every current submission of the period on the active indicators (考评台账)."""
    if not covers(actor, period.region) or not actor.has_role(Role.BUREAU_ADMIN):
        raise PermissionDenied("只有发起报送的机关事务管理部门可以考评。")
    indicators = list(EvaluationIndicator.objects.filter(active=True))
    now = clock.now()
    deadline_end = timezone.make_aware(
        datetime.datetime.combine(period.deadline, datetime.time.max)
    )
    submissions = list(Submission.objects.filter(period=period, is_current=True))
    returned = set(
        SubmissionAction.objects.filter(
            submission__period=period, action=ActionKind.RETURN
        ).values_list("submission__unit_key", flat=True)
    )
    rows = []
    for s in submissions:
        for ind in indicators:
            earned, note = _score(ind, s, deadline_end, returned)
            rows.append(
                EvaluationScore(
                    period=period,
                    submission=s,
                    indicator=ind,
                    points=ind.points if earned else Decimal(0),
                    note=note,
                    computed_at=now,
                )
            )
    with transaction.atomic():
        EvaluationScore.objects.filter(period=period).delete()
        EvaluationScore.objects.bulk_create(rows, batch_size=1000)
        record_event(
            actor=actor, event="reportperiod.evaluate", obj=period, data={"count": len(rows)}
        )
    return len(rows)


def _score(
    ind: EvaluationIndicator, s: Submission, deadline_end, returned: set
) -> tuple[bool, str]:
    first = s
    while first.previous_id:
        first = first.previous
    submitted = first.submitted_at
    if ind.kind == IndicatorKind.ON_TIME:
        if submitted is None:
            return False, "未报送"
        return submitted <= deadline_end, "按时" if submitted <= deadline_end else "逾期"
    if ind.kind == IndicatorKind.FIRST_PASS:
        return bool(
            s.first_check_passed
        ), "首次校验通过" if s.first_check_passed else "首次校验未通过"
    if ind.kind == IndicatorKind.NO_RETURN:
        return s.unit_key not in returned, "被退回" if s.unit_key in returned else ""
    return s.revision == 1, f"更正 {s.revision - 1} 次" if s.revision > 1 else ""


def do_remind(*, period: ReportPeriod, actor=None) -> int:
    """In-app reminders (催报) to every unit of the period still owing its figures."""
    from ..accounts.models import User
    from ..workflow.models import Notification

    if period.state != PeriodState.OPEN:
        raise ValidationError("该报送期已结束，不再催报；如需补报，请先重新开启报送期。")
    pending = list(
        Submission.objects.filter(period=period, is_current=True)
        .exclude(state__in=[SubmissionState.SUBMITTED, SubmissionState.ACCEPTED])
        .select_related("organization", "region")
    )
    if not pending:
        return 0
    orgs = {s.organization_id for s in pending if s.organization_id}
    regions = {s.region_id for s in pending if not s.organization_id}
    days = (period.deadline - clock.today()).days
    when = f"距截止还有 {days} 天" if days >= 0 else f"已逾期 {-days} 天"
    url = period.get_absolute_url()
    now = clock.now()
    notices = []
    for user in User.objects.filter(is_active=True).filter(models_q(orgs, regions)):
        if user.has_role(Role.UNIT_ADMIN) or user.has_role(Role.BUREAU_ADMIN):
            notices.append(
                Notification(
                    user=user,
                    message=f"统计报送提醒：{period}尚未报送（{when}），请及时填报、签批并报送。"[
                        :300
                    ],
                    url=url,
                    created_at=now,
                )
            )
    with transaction.atomic():
        Notification.objects.bulk_create(notices)
        record_event(
            actor=actor, event="reportperiod.remind", obj=period, data={"count": len(notices)}
        )
    return len(notices)


def models_q(orgs: set[int], regions: set[int]):
    from django.db.models import Q

    return Q(scope_organization__in=orgs) | Q(scope_region__in=regions)


# Generic edits (form versions' fields and rules, indicators) ---------------------------------------
class ReportFieldService(ObjectService):
    model = ReportField

    def validate(self, *, actor, instance, before) -> None:
        form = instance.table.form
        if not may_edit_form(actor, form):
            raise ValidationError("只能修改本区划尚未使用的报表版本（全国版本请先复制）。")
        errors = prefill.validate_spec(instance.prefill)
        if errors:
            raise ValidationError({"prefill": errors})
        if instance.kind == FieldKind.CHOICE and not instance.choices:
            raise ValidationError({"choices": "下拉选项类型须列出选项。"})
        clash = ReportField.objects.filter(table__form=form, code=instance.code).exclude(
            pk=instance.pk
        )
        if clash.exists():
            raise ValidationError({"code": f"报表中已有指标代码“{instance.code}”。"})


class ValidationRuleService(ObjectService):
    model = ValidationRule

    def validate(self, *, actor, instance, before) -> None:
        if not may_edit_form(actor, instance.form):
            raise ValidationError("只能修改本区划尚未使用的报表版本（全国版本请先复制）。")
        validate_rule(instance)


class EvaluationIndicatorService(ObjectService):
    model = EvaluationIndicator

    def validate(self, *, actor, instance, before) -> None:
        if not actor.has_role(Role.BUREAU_ADMIN):
            raise PermissionDenied("只有机关事务管理部门可以设置考评指标。")


for _service in (ReportFieldService, ValidationRuleService, EvaluationIndicatorService):
    register(_service)
del _service
