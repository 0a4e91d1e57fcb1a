"""Reads of the approval engine: which definition applies, what waits for whom, what a viewer
may do with a case, what approving it would change and what stands in the way."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from ..framework import clock
from ..registry.models import Region
from ..standards.models import region_prefixes
from .choices import (
    CLOSED_STATES,
    EDITABLE_STATES,
    PENDING_STATES,
    Action,
    CaseKind,
    CaseState,
    TaskState,
)
from .kinds import KINDS, Change
from .models import Case, CaseSubject, Notification, ProcessDefinition, StepDefinition, Task


# Definitions ----------------------------------------------------------------------------------
def definition_for(kind: str, region: Region | None, *, today=None) -> ProcessDefinition:
    """The definition a new case of ``kind`` in ``region`` runs under: the latest active
    revision of the nearest region at or above ``region`` that has one, else the national one
    (in force: ``effective_from`` not after today)."""
    today = today or clock.today()
    active = ProcessDefinition.objects.filter(kind=kind, is_active=True, effective_from__lte=today)
    if region is not None:
        local = list(
            active.filter(region__path__in=region_prefixes(region.path)).select_related("region")
        )
        if local:
            return max(local, key=lambda d: (len(d.region.path), d.revision))
    national = active.filter(region__isnull=True).order_by("-revision").first()
    if national is None:
        label = CaseKind(kind).label if kind in CaseKind.values else kind
        raise ValidationError({"kind": f"尚未配置“{label}”的审批流程，请联系机关事务管理局。"})
    return national


# To-do ----------------------------------------------------------------------------------------
def todo_for(user):
    """The open tasks waiting for ``user``, the overdue first (then by deadline)."""
    return (
        Task.objects.for_user(user)
        .open()
        .select_related("case", "case__applicant", "case__definition", "step")
        .order_by("due_on", "pk")
    )


def todo_counts(user) -> tuple[int, int]:
    """(open, overdue) tasks of ``user``: one query."""
    counts = (
        Task.objects.for_user(user)
        .open()
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=clock.today())))
    )
    return counts["open"] or 0, counts["overdue"] or 0


def todo_steps(user) -> list[StepDefinition]:
    """The distinct steps of ``user``'s open tasks (a few rows, however long the to-do list):
    whether the list offers batch approval, and whether that needs a signature."""
    return list(StepDefinition.objects.filter(pk__in=todo_for(user).values("step_id")))


def todo_signing(user) -> tuple[bool, bool]:
    """(some open task may be approved from the list, approving one needs a signature)."""
    approvable = [step for step in todo_steps(user) if Action.APPROVE in (step.actions or [])]
    return bool(approvable), any(step.needs_signature for step in approvable)


def unread_count(user) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def actor_tasks(user, case: Case):
    """The open tasks of ``case``'s current step that ``user`` may act on."""
    if case.step_order is None:
        return Task.objects.none()
    return (
        Task.objects.for_user(user)
        .open()
        .filter(case_id=case.pk, step__order=case.step_order)
        .select_related("step")
    )


# A case's viewer ------------------------------------------------------------------------------
def can_edit(user, case: Case) -> bool:
    """Whether ``user`` acts for the applicant (may edit, submit, withdraw, attach): a unit
    account whose scope holds the applicant, or the account that drafted the case (a bureau
    drafting for a unit). A bureau reviewing a unit's case is not its applicant."""
    if getattr(user, "scope_region_id", None) and case.created_by_id != user.pk:
        return False
    return Case.objects.restrict(user, "change").filter(pk=case.pk).exists()


def viewer_actions(user, case: Case) -> list[str]:
    """What ``user`` may do with ``case`` now: a subset of "edit", "submit", "withdraw",
    "approve", "return", "reject", "attach"."""
    actions: list[str] = []
    applicant_side = can_edit(user, case)
    if applicant_side and case.state in EDITABLE_STATES:
        actions += ["edit", "submit"]
    if applicant_side and case.state == CaseState.SUBMITTED:
        actions.append("withdraw")
    allowed: list[str] = []
    if case.state in PENDING_STATES:
        for task in actor_tasks(user, case):
            allowed += [a for a in task.step.actions if a not in allowed]
    actions += [a for a in ("approve", "return", "reject") if a in allowed]
    if case.state not in CLOSED_STATES and (applicant_side or allowed):
        actions.append("attach")
    return actions


def needs_signature(user, case: Case) -> bool:
    """Whether ``user``'s decision on ``case`` now needs an e-signature (password + 动态口令)."""
    return any(t.step.needs_signature for t in actor_tasks(user, case))


# Effects --------------------------------------------------------------------------------------
def preview(case: Case) -> list[Change]:
    """Exactly what applying ``case`` would change now (nothing once applied or closed)."""
    if case.kind not in KINDS or case.state in CLOSED_STATES:
        return []
    return list(KINDS.get(case.kind).preview(case))


def subject_versions(subjects) -> dict[tuple[str, int], int | None]:
    """The current version of each subject's object, by (field, id): one query per kind of
    object, however many rooms a case moves."""
    wanted: dict[str, set[int]] = {}
    for subject in subjects:
        for name in CaseSubject.SUBJECT_FIELDS:
            pk = getattr(subject, f"{name}_id")
            if pk:
                wanted.setdefault(name, set()).add(pk)
    versions: dict[tuple[str, int], int | None] = {}
    for name, ids in wanted.items():
        model = CaseSubject._meta.get_field(name).related_model
        for pk, version in model._base_manager.filter(pk__in=ids).values_list("pk", "version"):
            versions[(name, pk)] = version
    return versions


def subject_key(subject: CaseSubject) -> tuple[str, int] | None:
    for name in CaseSubject.SUBJECT_FIELDS:
        pk = getattr(subject, f"{name}_id")
        if pk:
            return name, pk
    return None


def stale_subjects(case: Case) -> list[str]:
    """Subjects changed since the case was submitted (their version moved on)."""
    subjects = [s for s in case.subjects.all() if s.version_seen is not None]
    versions = subject_versions(subjects)
    messages = []
    for subject in subjects:
        key = subject_key(subject)
        if key is None:
            continue
        if key not in versions:
            messages.append(f"“{subject.label}”在提交后已被删除。")
        elif versions[key] != subject.version_seen:
            name = CaseSubject._meta.get_field(key[0]).related_model._meta.verbose_name
            messages.append(
                f"{name}“{subject.label}”在提交后已被修改，请退回申请单位核实后重新提交。"
            )
    return messages


def problems(case: Case) -> list[str]:
    """Why the case's effects could not be applied now, in Chinese: the kind's own problems and
    every subject changed since submission. Empty when nothing stands in the way (or the case
    is past applying)."""
    if case.state in CLOSED_STATES:
        return []
    out: list[str] = []
    if case.kind not in KINDS:
        out.append("该审批事项类型尚未开通，无法生效。")
    else:
        out += list(KINDS.get(case.kind).problems(case))
    if case.state in (*PENDING_STATES, CaseState.APPROVED):
        out += stale_subjects(case)
    return out


def open_tasks(case: Case):
    return case.tasks.filter(state=TaskState.OPEN)
