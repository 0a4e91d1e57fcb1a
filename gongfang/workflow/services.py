"""Every write of the approval engine: a case's life from draft to applied, its files, the
definitions' revisions and the notifications' read marks.

Each service runs in one transaction, locks the case row first, checks the version the caller
saw when given (a form's hidden field, an API ``If-Match``), writes a :class:`CaseAction` (the
case's history) and an audit event ``case.<action>``, and notifies the accounts concerned.

Life of a case::

    draft ──submit──▶ submitted ──first decision──▶ in_review ──last approval──▶ approved
      ▲                 │   │                          │   │                      │ (effective_on
      │                 │   └──withdraw──▶ withdrawn   │   └──reject──▶ rejected   │  reached)
      └──(edit)── returned ◀──────return──────────────┘                          ▼
                    └──resubmit: step 1 again, same definition revision       applied

Approving the last step applies the case's effects in the same transaction (unless it waits for
its ``effective_on``): if the kind reports problems, or a subject changed since submission, the
whole decision is refused and nothing is written, the message saying why.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import asdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import NoReverseMatch

from ..framework import clock
from ..framework.changelog import record_change, record_event, serialize_object
from ..framework.models import ObjectChange
from ..framework.versions import check_version
from ..framework.workdays import reckon
from ..registry.models import Organization
from .actors import accounts_for, resolve
from .choices import (
    CLOSED_STATES,
    DECISIONS,
    EDITABLE_STATES,
    PENDING_STATES,
    Action,
    ActorRule,
    CaseState,
    TaskState,
)
from .kinds import KINDS, Drafted, SubjectRef
from .models import (
    Attachment,
    Case,
    CaseAction,
    CaseSubject,
    Notification,
    ProcessDefinition,
    Signature,
    StepDefinition,
    Task,
)
from .numbers import next_number
from .selectors import (
    actor_tasks,
    can_edit,
    definition_for,
    preview,
    problems,
    subject_key,
    subject_versions,
)
from .signing import confirm_identity, content_hash

OUT_OF_SCOPE = "该审批事项不存在或超出您的管辖范围。"
NOT_YOUR_TASK = "您不是该事项当前环节的办理人。"
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = {
    "pdf": "PDF 文档",
    "jpg": "JPEG 图片",
    "png": "PNG 图片",
    "docx": "Word 文档",
    "xlsx": "Excel 表格",
    "ofd": "OFD 版式文档",
}


# Helpers --------------------------------------------------------------------------------------
def _require_perm(actor, action: str) -> None:
    if actor is None or not actor.is_active or not actor.has_model_perm(Case, action):
        names = {"add": "新建", "change": "办理", "view": "查看"}
        raise PermissionDenied(f"您没有{names.get(action, action)}审批事项的权限。")


def _lock(case: Case) -> Case:
    try:
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related("applicant", "applicant__region", "region", "definition")
            .get(pk=case.pk)
        )
    except Case.DoesNotExist:
        raise ValidationError("该审批事项已被删除。") from None


def _require_applicant_side(actor, case: Case) -> None:
    if not can_edit(actor, case):
        raise ValidationError(OUT_OF_SCOPE)


def _state_error(case: Case, verb: str) -> ValidationError:
    return ValidationError(f"事项当前状态为“{case.get_state_display()}”，不能{verb}。")


def _json_safe(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _save(case: Case, now: datetime.datetime) -> None:
    """Write the (locked) case; every write raises its version by one."""
    case.version += 1
    case.updated_at = now
    case.save()


def case_url(case: Case) -> str:
    try:
        return case.get_absolute_url()
    except NoReverseMatch:  # the pages are not wired (a test settings, a headless job)
        return ""


def _notify(users: Iterable, case: Case, message: str, now: datetime.datetime) -> None:
    url = case_url(case)
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(user=user, case=case, message=message[:300], url=url, created_at=now)
        )
    Notification.objects.bulk_create(rows)


def _record(
    *,
    actor,
    case: Case,
    action: str,
    before: str,
    now: datetime.datetime,
    comment: str = "",
    task: Task | None = None,
    step_name: str = "",
    signature: Signature | None = None,
    data: dict | None = None,
) -> CaseAction:
    """The case's history entry and its audit event ``case.<action>``."""
    entry = CaseAction.objects.create(
        case=case,
        task=task,
        step_name=step_name,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        comment=comment,
        at=now,
        state_before=before,
        state_after=case.state,
        signature=signature,
    )
    record_event(
        actor=actor,
        event=f"case.{action}",
        obj=case,
        data={
            "number": case.number,
            "kind": case.kind,
            "title": case.title,
            "from": before,
            "to": case.state,
            "step": step_name,
            "comment": comment,
            "signature": signature.pk if signature else None,
            **(data or {}),
        },
    )
    return entry


def _subject_field(obj) -> str:
    for name in CaseSubject.SUBJECT_FIELDS:
        if CaseSubject._meta.get_field(name).related_model is type(obj):
            return name
    raise ValidationError(f"审批事项不能涉及“{obj._meta.verbose_name}”。")


def _write_subjects(case: Case, subjects: list[SubjectRef]) -> None:
    case.subjects.all().delete()
    rows = []
    seen = set()
    for ref in subjects:
        name = _subject_field(ref.obj)
        key = (name, ref.obj.pk)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            CaseSubject(case=case, label=(ref.label or str(ref.obj))[:200], **{name: ref.obj})
        )
    CaseSubject.objects.bulk_create(rows)


def _take_draft(case: Case, drafted: Drafted) -> None:
    case.payload = _json_safe(drafted.payload)
    case.title = (drafted.title or "")[:200]
    case.counterparty = drafted.counterparty
    case.effective_on = drafted.effective_on


def _cancel_open_tasks(case: Case, now: datetime.datetime) -> list[Task]:
    tasks = list(case.tasks.filter(state=TaskState.OPEN))
    for task in tasks:
        task.state = TaskState.CANCELLED
        task.done_at = now
    Task.objects.bulk_update(tasks, ["state", "done_at"])
    return tasks


def _open_step(case: Case, step: StepDefinition, now: datetime.datetime) -> list[Task]:
    """One task per actor rule of ``step``, due after its time limit in working days."""
    reckoning = reckon(clock.today(), step.time_limit_days)
    due = reckoning.day
    tasks = []
    for rule in step.actors:
        who = resolve(rule, case)
        tasks.append(
            Task(
                case=case,
                step=step,
                rule=rule,
                role=who.role,
                region=who.region,
                organization=who.organization,
                opened_at=now,
                due_on=due,
            )
        )
    if not tasks:
        raise ValidationError(f"审批环节“{step.name}”没有办理人，无法办理。")
    Task.objects.bulk_create(tasks)
    case.step_order = step.order
    case.deadline = max(t.due_on for t in tasks)
    message = (
        f"待办：{case.number}“{case.title}”待您办理（{step.name}），"
        f"请于 {due:%Y-%m-%d}{reckoning.note} 前办理。"
    )
    _notify((u for t in tasks for u in accounts_for(t)), case, message, now)
    return tasks


@contextlib.contextmanager
def _files_kept_only_on_success():
    """The names of files stored meanwhile; removed again when the transaction fails (a file
    is written to storage at once, the database row only on commit)."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


# Drafting -------------------------------------------------------------------------------------
def create_case(*, actor, kind: str, applicant: Organization, data: dict) -> Case:
    """A new draft of ``kind`` for ``applicant`` (an organization in the actor's scope)."""
    _require_perm(actor, "add")
    spec = KINDS.get(kind)
    with transaction.atomic():
        if not Organization.objects.restrict(actor, "view").filter(pk=applicant.pk).exists():
            raise ValidationError({"applicant": "申请单位不存在或超出您的管辖范围。"})
        applicant = Organization.objects.select_related("region").get(pk=applicant.pk)
        definition = definition_for(kind, applicant.region)
        drafted = spec.draft(actor=actor, applicant=applicant, data=data)
        now = clock.now()
        case = Case(
            kind=kind,
            definition=definition,
            applicant=applicant,
            region=applicant.region,
            created_by=actor,
            state=CaseState.DRAFT,
        )
        _take_draft(case, drafted)
        case.full_clean()
        case.save()
        _write_subjects(case, drafted.subjects)
        if not Case.objects.restrict(actor, "add").filter(pk=case.pk).exists():
            raise ValidationError({"applicant": "申请单位不存在或超出您的管辖范围。"})
        _record(actor=actor, case=case, action=Action.CREATE, before="", now=now)
    return case


def update_case(*, actor, case: Case, data: dict, expected_version: int | None = None) -> Case:
    """Change a draft or a returned case's content (validated by its kind again)."""
    _require_perm(actor, "change")
    with transaction.atomic():
        case = _lock(case)
        _require_applicant_side(actor, case)
        check_version(case, expected_version)
        if case.state not in EDITABLE_STATES:
            raise _state_error(case, "修改")
        drafted = KINDS.get(case.kind).draft(actor=actor, applicant=case.applicant, data=data)
        now = clock.now()
        _take_draft(case, drafted)
        case.full_clean()
        _save(case, now)
        _write_subjects(case, drafted.subjects)
        _record(actor=actor, case=case, action=Action.EDIT, before=case.state, now=now)
    return case


def submit_case(*, actor, case: Case, expected_version: int | None = None) -> Case:
    """Submit a draft (number given, definition fixed) or resubmit a returned case (step 1
    again, the same definition revision); the subjects' versions are noted, step 1 opens."""
    _require_perm(actor, "change")
    with transaction.atomic():
        case = _lock(case)
        _require_applicant_side(actor, case)
        check_version(case, expected_version)
        if case.state not in EDITABLE_STATES:
            raise _state_error(case, "提交")
        resubmit = case.state == CaseState.RETURNED
        if case.state == CaseState.DRAFT and not case.number:
            # A draft is not running yet: it runs under the definition in force now.
            case.definition = definition_for(case.kind, case.region)
        issues = list(KINDS.get(case.kind).problems(case))
        if issues:
            raise ValidationError(issues)
        steps = list(case.definition.steps.order_by("order"))
        if not steps:
            raise ValidationError("该审批流程没有办理环节，无法提交。")
        now = clock.now()
        if not case.number:
            case.number = next_number(
                definition=case.definition, region=case.region, year=clock.today().year
            )
        subjects = list(case.subjects.all())
        versions = subject_versions(subjects)
        for subject in subjects:
            subject.version_seen = versions.get(subject_key(subject))
        CaseSubject.objects.bulk_update(subjects, ["version_seen"])
        case.content_hash = content_hash(case)[1]
        before = case.state
        case.state = CaseState.SUBMITTED
        case.submitted_at = now
        case.decided_at = None
        _open_step(case, steps[0], now)
        _save(case, now)
        _record(
            actor=actor,
            case=case,
            action=Action.RESUBMIT if resubmit else Action.SUBMIT,
            before=before,
            now=now,
            step_name=steps[0].name,
            data={"content_hash": case.content_hash, "definition": case.definition_id},
        )
    return case


def withdraw_case(*, actor, case: Case, comment: str = "") -> Case:
    """The applicant takes a submitted case back before anyone decided on it."""
    _require_perm(actor, "change")
    with transaction.atomic():
        case = _lock(case)
        _require_applicant_side(actor, case)
        if case.state != CaseState.SUBMITTED:
            raise ValidationError(
                f"事项当前状态为“{case.get_state_display()}”，只能在审批人办理前撤回。"
            )
        now = clock.now()
        cancelled = _cancel_open_tasks(case, now)
        before = case.state
        case.state = CaseState.WITHDRAWN
        case.step_order = None
        case.deadline = None
        case.decided_at = now
        _save(case, now)
        _record(
            actor=actor,
            case=case,
            action=Action.WITHDRAW,
            before=before,
            now=now,
            comment=(comment or "").strip(),
        )
        _notify(
            (u for t in cancelled for u in accounts_for(t)),
            case,
            f"{case.number}“{case.title}”已由申请单位撤回，无需办理。",
            now,
        )
    return case


# Deciding -------------------------------------------------------------------------------------
def _check_decision(actor, case: Case, decision: str, comment: str) -> list[Task]:
    """The actor's open tasks at the case's current step, if ``decision`` is allowed there."""
    if actor is None or not getattr(actor, "is_active", False):
        raise PermissionDenied(NOT_YOUR_TASK)
    if decision not in DECISIONS:
        raise ValidationError({"decision": "请选择办理意见（同意、退回修改或不予批准）。"})
    if case.state not in PENDING_STATES:
        raise _state_error(case, "审批")
    tasks = list(actor_tasks(actor, case))
    if not tasks:
        raise PermissionDenied(NOT_YOUR_TASK)
    step = tasks[0].step
    if decision not in step.actions:
        raise ValidationError(
            {"decision": f"环节“{step.name}”不能选择“{Action(decision).label}”。"}
        )
    if decision in (Action.RETURN, Action.REJECT) and not (comment or "").strip():
        raise ValidationError({"comment": f"“{Action(decision).label}”须填写办理意见。"})
    return tasks


def _decide(
    *,
    actor,
    case: Case,
    decision: str,
    comment: str,
    files,
    expected_version: int | None,
    method: str | None,
    stored: list[str] | None = None,
) -> Case:
    """The decision itself, in the caller's transaction (a savepoint per case in a batch)."""
    case = _lock(case)
    check_version(case, expected_version)
    tasks = _check_decision(actor, case, decision, comment)
    step = tasks[0].step
    if step.needs_signature and method is None:
        raise ValidationError({"password": "该环节须电子签批，请输入登录密码和动态口令。"})
    now = clock.now()
    comment = (comment or "").strip()
    signature = None
    if step.needs_signature:
        algorithm, digest = content_hash(case)
        signature = Signature.objects.create(
            case=case,
            signer=actor,
            signed_at=now,
            content_hash=digest,
            algorithm=algorithm,
            method=method,
        )
    for task in tasks:
        task.state = TaskState.DONE
        task.done_at = now
        task.done_by = actor
        task.decision = decision
    Task.objects.bulk_update(tasks, ["state", "done_at", "done_by", "decision"])
    before = case.state
    case.state = CaseState.IN_REVIEW
    next_step = None
    if decision == Action.APPROVE:
        if not case.tasks.filter(state=TaskState.OPEN, step__order=case.step_order).exists():
            next_step = (
                case.definition.steps.filter(order__gt=case.step_order).order_by("order").first()
            )
            if next_step is not None:
                _open_step(case, next_step, now)
            else:
                case.state = CaseState.APPROVED
                case.step_order = None
                case.deadline = None
                case.decided_at = now
    else:
        _cancel_open_tasks(case, now)
        case.state = CaseState.RETURNED if decision == Action.RETURN else CaseState.REJECTED
        case.step_order = None
        case.deadline = None
        case.decided_at = now if decision == Action.REJECT else None
    _save(case, now)
    entry = _record(
        actor=actor,
        case=case,
        action=decision,
        before=before,
        now=now,
        comment=comment,
        task=tasks[0],
        step_name=step.name,
        signature=signature,
        data={"content_hash": signature.content_hash if signature else case.content_hash},
    )
    for upload in files or ():
        attachment = _attach(actor=actor, case=case, upload=upload, action=entry, now=now)
        if stored is not None:
            stored.append(attachment.file.name)
    if case.state in (CaseState.RETURNED, CaseState.REJECTED, CaseState.APPROVED):
        verdict = {
            CaseState.RETURNED: "已被退回修改",
            CaseState.REJECTED: "未予批准",
            CaseState.APPROVED: "已批准",
        }[case.state]
        tail = f"：{comment}" if comment else "。"
        _notify([case.created_by], case, f"{case.number}“{case.title}”{verdict}{tail}", now)
    if case.state == CaseState.APPROVED and (
        case.effective_on is None or case.effective_on <= clock.today()
    ):
        _apply(actor=actor, case=case, now=now)
    return case


def decide(
    *,
    actor,
    case: Case,
    decision: str,
    comment: str = "",
    password: str = "",
    otp: str = "",
    files=(),
    expected_version: int | None = None,
) -> Case:
    """Decide on ``case`` at its current step as one of the step's actors: approve (the next
    step opens when every countersigner approved; after the last one the case is approved and
    applied), return for correction or reject (both need a comment). A step that needs an
    e-signature takes the actor's password and authenticator code."""
    _check_decision(actor, case, decision, comment)
    method = None
    if any(t.step.needs_signature for t in actor_tasks(actor, case)):
        method = confirm_identity(user=actor, password=password, otp=otp, case=case)
    with _files_kept_only_on_success() as stored, transaction.atomic():
        return _decide(
            actor=actor,
            case=case,
            decision=decision,
            comment=comment,
            files=files,
            expected_version=expected_version,
            method=method,
            stored=stored,
        )


def decide_many(
    *,
    actor,
    cases: Iterable[Case],
    decision: str = "approve",
    comment: str = "",
    password: str = "",
    otp: str = "",
) -> list[tuple[Case, str | None]]:
    """One decision on several cases (a leader's batch sign) with one identity confirmation;
    each case is decided on its own: a refused one leaves the others decided. Returns each
    case with its error message, or None when decided."""
    cases = list(cases)
    refused: dict[int, str] = {}
    signing = False
    for case in cases:
        try:
            tasks = _check_decision(actor, case, decision, comment)
        except (ValidationError, PermissionDenied) as exc:
            refused[case.pk] = error_text(exc)
            continue
        signing = signing or tasks[0].step.needs_signature
    method = confirm_identity(user=actor, password=password, otp=otp) if signing else None
    results: list[tuple[Case, str | None]] = []
    for case in cases:
        if case.pk in refused:
            results.append((case, refused[case.pk]))
            continue
        try:
            with transaction.atomic():
                decided = _decide(
                    actor=actor,
                    case=case,
                    decision=decision,
                    comment=comment,
                    files=(),
                    expected_version=None,
                    method=method,
                )
        except (ValidationError, PermissionDenied) as exc:
            results.append((case, error_text(exc)))
        else:
            results.append((decided, None))
    return results


# Effects --------------------------------------------------------------------------------------
def _apply(*, actor, case: Case, now: datetime.datetime) -> Case:
    issues = problems(case)
    if issues:
        raise ValidationError(issues)
    changes = [asdict(c) for c in preview(case)]
    result = KINDS.get(case.kind).apply(actor=actor, case=case) or {}
    result = _json_safe(result)
    if isinstance(result, dict):
        result.setdefault("changes", _json_safe(changes))
    case.result = result
    before = case.state
    case.state = CaseState.APPLIED
    case.applied_at = now
    _save(case, now)
    _record(actor=actor, case=case, action=Action.APPLY, before=before, now=now)
    _notify([case.created_by], case, f"{case.number}“{case.title}”已生效。", now)
    return case


def apply_case(*, actor, case: Case, check_scope: bool = True) -> Case:
    """Apply an approved case's effects now (its effective date has come); refused, nothing
    written, when the kind reports problems or a subject changed since submission. The daily
    job applies in the final approver's name without the scope check (``check_scope=False``):
    the approval was the check."""
    with transaction.atomic():
        case = _lock(case)
        if check_scope and not Case.objects.restrict(actor, "view").filter(pk=case.pk).exists():
            raise ValidationError(OUT_OF_SCOPE)
        if case.state != CaseState.APPROVED:
            raise _state_error(case, "生效")
        if case.effective_on and case.effective_on > clock.today():
            raise ValidationError(f"该事项的生效日期为 {case.effective_on:%Y-%m-%d}，尚未到期。")
        return _apply(actor=actor, case=case, now=clock.now())


def final_approver(case: Case):
    """The account whose approval closed the last step (the job applies in its name)."""
    entry = (
        case.actions.filter(action=Action.APPROVE, actor__isnull=False)
        .order_by("-at", "-pk")
        .first()
    )
    return entry.actor if entry else case.created_by


# Attachments ----------------------------------------------------------------------------------
def sniff_type(upload) -> str | None:
    """The file's type by its content (never its name): one of ATTACHMENT_TYPES, or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
    return None


UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def clean_name(name: str, ext: str) -> str:
    """The uploaded name as shown: no directories, no control or reserved characters, at most
    100 characters, ending in the extension of its real type."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = UNSAFE_NAME.sub("", base).strip().strip(".") or "附件"
    stem, dot, _ext = base.rpartition(".")
    if not dot:
        stem = base
    stem = stem[:90].strip() or "附件"
    return f"{stem}.{ext}"


def _attach(*, actor, case: Case, upload, action: CaseAction | None, now) -> Attachment:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": "附件不能超过 20 MB。"})
    if size == 0:
        raise ValidationError({"file": "附件是空文件。"})
    ext = sniff_type(upload)
    if ext is None:
        kinds = "、".join(ATTACHMENT_TYPES.values())
        raise ValidationError({"file": f"附件类型不受支持，仅限 {kinds}（按文件内容识别）。"})
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(64 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    name = clean_name(getattr(upload, "name", ""), ext)
    attachment = Attachment(
        case=case,
        action=action,
        name=name,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        uploaded_at=now,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
    attachment.save()
    record_event(
        actor=actor,
        event="case.attach",
        obj=case,
        data={"number": case.number, "name": name, "size": size, "sha256": attachment.sha256},
    )
    return attachment


def add_attachment(*, actor, case: Case, upload, action: CaseAction | None = None) -> Attachment:
    """Attach a file (an agreement, a scanned signed paper) to an open case: the applicant's
    side, or an account with an open task of it."""
    with _files_kept_only_on_success() as stored, transaction.atomic():
        case = _lock(case)
        if case.state in CLOSED_STATES:
            raise _state_error(case, "上传附件")
        if not (
            (actor.has_model_perm(Case, "change") and can_edit(actor, case))
            or actor_tasks(actor, case).exists()
        ):
            raise ValidationError(OUT_OF_SCOPE)
        if action is not None and action.case_id != case.pk:
            raise ValidationError("办理记录不属于该事项。")
        attachment = _attach(actor=actor, case=case, upload=upload, action=action, now=clock.now())
        stored.append(attachment.file.name)
        return attachment


# Definitions ----------------------------------------------------------------------------------
DEFINITION_FIELDS = ("name", "effective_from", "source", "number_prefix")


def _clean_steps(steps: list[dict]) -> list[dict]:
    if not steps:
        raise ValidationError({"steps": "流程至少需要一个办理环节。"})
    cleaned = []
    for i, step in enumerate(steps, start=1):
        where = f"第 {i} 个环节"
        name = str(step.get("name") or "").strip()
        actors = list(step.get("actors") or [])
        actions = list(step.get("actions") or [])
        if not name:
            raise ValidationError({"steps": f"{where}：请填写环节名称。"})
        if not actors or any(a not in ActorRule.values for a in actors):
            raise ValidationError({"steps": f"{where}（{name}）：请选择有效的办理人。"})
        if len(set(actors)) != len(actors):
            raise ValidationError({"steps": f"{where}（{name}）：办理人重复。"})
        if not actions or any(a not in DECISIONS for a in actions):
            raise ValidationError({"steps": f"{where}（{name}）：请选择有效的可选操作。"})
        if Action.APPROVE not in actions:
            raise ValidationError({"steps": f"{where}（{name}）：可选操作须包含“同意”。"})
        try:
            limit = int(step.get("time_limit_days", 5))
        except (TypeError, ValueError):
            limit = -1
        if not 1 <= limit <= 365:
            raise ValidationError({"steps": f"{where}（{name}）：办理时限须为 1 至 365 个工作日。"})
        cleaned.append(
            {
                "order": i,
                "name": name[:60],
                "actors": actors,
                "actions": [a for a in DECISIONS if a in actions],
                "time_limit_days": limit,
                "needs_signature": bool(step.get("needs_signature")),
            }
        )
    return cleaned


def revise_definition(
    *, actor, definition: ProcessDefinition, data: dict, steps: list[dict]
) -> ProcessDefinition:
    """A new revision of ``definition`` with ``data`` (name, effective_from, source,
    number_prefix) and ``steps`` (dicts: name, actors, actions, time_limit_days,
    needs_signature). A local definition is replaced in its region (the old revision is
    deactivated); a national (or upper) one the actor may only read gets a local revision in
    the actor's region, which then serves that region. Running cases keep their revision."""
    if (
        actor is None
        or not actor.is_active
        or not actor.has_model_perm(ProcessDefinition, "change")
    ):
        raise PermissionDenied("您没有修订审批流程的权限。")
    if not ProcessDefinition.objects.restrict(actor, "view").filter(pk=definition.pk).exists():
        raise ValidationError("该审批流程不存在或超出您的管辖范围。")
    with transaction.atomic():
        writable = (
            ProcessDefinition.objects.restrict(actor, "change").filter(pk=definition.pk).exists()
        )
        if writable:
            region = definition.region
        elif getattr(actor, "scope_region_id", None):
            region = actor.scope_region
        else:
            raise PermissionDenied("您没有修订审批流程的权限。")
        cleaned = _clean_steps(steps)
        same_place = (
            ProcessDefinition.objects.select_for_update(of=("self",))
            .filter(kind=definition.kind, region=region)
            .order_by()
        )
        # Locked rows, the highest revision counted here (PostgreSQL refuses FOR UPDATE with
        # an aggregate).
        last = max(same_place.values_list("revision", flat=True), default=0)
        now = clock.now()
        values = {name: data.get(name, getattr(definition, name)) for name in DEFINITION_FIELDS}
        if not values["effective_from"]:
            values["effective_from"] = clock.today()
        new = ProcessDefinition(
            kind=definition.kind, region=region, revision=last + 1, is_active=True, **values
        )
        new.full_clean()
        # A revision in force from a later day leaves the current one serving until then.
        replaced = same_place.filter(is_active=True)
        if new.effective_from > clock.today():
            replaced = replaced.none()
        for old in replaced:
            before = serialize_object(old)
            old.is_active = False
            _save(old, now)
            record_change(
                actor=actor, instance=old, action=ObjectChange.Action.UPDATE, before=before
            )
        new.save()
        record_change(actor=actor, instance=new, action=ObjectChange.Action.CREATE, before=None)
        for step in cleaned:
            row = StepDefinition.objects.create(definition=new, **step)
            record_change(actor=actor, instance=row, action=ObjectChange.Action.CREATE, before=None)
        record_event(
            actor=actor,
            event="case.definition_revise",
            obj=new,
            data={
                "kind": new.kind,
                "revision": new.revision,
                "previous": definition.pk,
                "region": region.name if region else "全国",
                "steps": [s["name"] for s in cleaned],
            },
        )
    return new


# Notifications --------------------------------------------------------------------------------
def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s unread notifications (those of ``ids``, or all) read; how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=clock.now())
