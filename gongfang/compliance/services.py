"""The compliance engine and the warnings' life cycle: every write to a warning is made here.

**Engine.** :func:`check` loads the facts of a :class:`~.loader.Selection`, runs the pure rules
and reconciles their findings with the stored warnings of the same subjects: a new finding opens
a warning, a known one is refreshed (figures, clause, parameters), a warning whose finding is gone
resolves itself, and a resolved one whose finding returns reopens. All of it in bulk, with one
``record_events`` call per batch (``warning.open`` / ``warning.resolve`` / ``warning.reopen``,
recorded as the system). Figures refreshed on a warning that stays in its state are derived
from the write that caused them (logged there) and are not logged again. :func:`scan` runs
:func:`check` over a region in batches (a sub-region each, one transaction each); the receiver in
:mod:`.receivers` runs it on the few objects a registry write affects, inside that write's
transaction. Time-based rules (R3, R4, R5, R7) and overdue deadlines move with the calendar, so
``compliance_scan`` is meant to run daily.

**Life cycle** (DESIGN §4.4)::

    open ──rectify──▶ rectifying ──complete──▶ resolved      (system: any ──▶ resolved when the
      │                   │                                    data comply; resolved ──▶ open
      ├──defer / file─────┴──▶ deferred (暂不整改) / filed (备案)   when they break again)
      ◀──────────reopen──────────┘

Who may do what (any of the account's roles suffices; the warning must lie in its scope —
``Warning.objects.restrict(user, "view")``, so a unit account acts on its own organizations'
warnings and a bureau on its region's):

============  ======================  ===============================================
transition    roles                   conditions
============  ======================  ===============================================
rectify       unit_admin, bureau      from open (or rectifying, to change mode or deadline);
                                      a mode; 限期整改 needs a deadline after today,
                                      the other modes take none
complete      unit_admin, bureau      from rectifying; the rules are re-run on the
                                      warning's object and must no longer find it
defer / file  bureau_admin, leader    from open or rectifying; a reason. A bureau admin's
                                      is a request: the waiver handler (``hooks``, the
                                      cases app) opens a warning_waiver case and the warning
                                      changes only when its approver signs
                                      (:func:`apply_waiver`, approver = the signer). With no
                                      handler, an approver is named: an active leader or
                                      another bureau account whose scope holds the warning.
                                      A leader acts at once (his sign-off is the approval)
reopen        bureau_admin            from deferred or filed, back to open
============  ======================  ===============================================

Supervisors (纪检监督) read only. Every transition is an event ``warning.transition`` in the
change log with who, from, to, the mode, deadline, reason and approver.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..accounts.models import User
from ..accounts.roles import Role
from ..framework import clock
from ..framework.changelog import record_event, record_events
from ..framework.models import ObjectChange
from ..framework.progress import set_progress
from ..registry.models import Compound, Organization, Region
from ..standards.selectors import recheck_key
from . import hooks
from .filtersets import overdue_q
from .loader import NOTHING, Selection, load_facts
from .models import Mode, State, Subject, Warning
from .rules import Finding, evaluate

BATCH_SIZE = 500
OUT_OF_SCOPE = "该预警不存在或超出您的管辖范围。"

# Fields a re-check may rewrite on a stored warning.
CHECK_FIELDS = (
    "rule",
    "subject",
    "region",
    "organization",
    "room",
    "person",
    "building",
    "subject_label",
    "summary",
    "figures",
    "excess_area",
    "clause",
    "ruleset",
    "state",
    "mode",
    "deadline",
    "reason",
    "approver",
    "last_checked_at",
    "resolved_at",
    "reopened_count",
    "updated_at",
)


# Engine ---------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What one check did."""

    rooms: int = 0
    persons: int = 0
    organizations: int = 0
    buildings: int = 0
    findings: int = 0
    opened: int = 0
    reopened: int = 0
    resolved: int = 0
    refreshed: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)

    def add(self, other: Outcome) -> None:
        for name in (
            "rooms",
            "persons",
            "organizations",
            "buildings",
            "findings",
            "opened",
            "reopened",
            "resolved",
            "refreshed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for rule, n in other.by_rule.items():
            self.by_rule[rule] = self.by_rule.get(rule, 0) + n


def stored_for(selection: Selection) -> Q:
    """The stored warnings about ``selection``'s subjects, whatever their state."""
    q = NOTHING
    for subject, model_q, lookup in (
        (Subject.ROOM, selection.rooms, "room"),
        (Subject.PERSON, selection.persons, "person"),
        (Subject.ORGANIZATION, selection.organizations, "organization"),
        (Subject.BUILDING, selection.buildings, "building"),
    ):
        if model_q == NOTHING:
            continue
        subjects = getattr(selection, f"{lookup}_qs")().values("pk")
        q |= Q(subject=subject, **{f"{lookup}__in": subjects})
    return q


def _apply(warning: Warning, finding: Finding, now: datetime.datetime) -> None:
    warning.rule = finding.rule
    warning.subject = finding.subject
    warning.region_id = finding.region_id
    warning.organization_id = finding.organization_id
    warning.room_id = finding.room_id
    warning.person_id = finding.person_id
    warning.building_id = finding.building_id
    warning.subject_label = finding.label[:200]
    warning.summary = finding.summary[:300]
    warning.figures = finding.figures
    warning.excess_area = finding.excess_area
    warning.clause = finding.clause
    warning.ruleset = finding.ruleset
    warning.last_checked_at = now
    warning.updated_at = now


def _event_data(warning: Warning, **extra) -> dict:
    figures = warning.figures or {}
    return {
        "rule": warning.rule,
        "key": warning.key,
        "summary": warning.summary,
        "figures": {k: figures.get(k) for k in ("actual", "limit", "excess", "unit")},
        **extra,
    }


# What a re-check may change on a warning besides its state (compared to skip idle updates).
CONTENT_FIELDS = (
    "rule",
    "subject",
    "region_id",
    "organization_id",
    "room_id",
    "person_id",
    "building_id",
    "subject_label",
    "summary",
    "figures",
    "excess_area",
    "clause",
    "ruleset",
)
# Below this many changed warnings, one UPDATE each compiles faster than bulk_update's CASEs.
SMALL_BATCH = 20


def _content(warning: Warning) -> tuple:
    return tuple(getattr(warning, name) for name in CONTENT_FIELDS)


def reconcile(
    selection: Selection, findings: list[Finding], *, now: datetime.datetime | None = None
) -> Outcome:
    """Make the stored warnings of ``selection``'s subjects match ``findings`` (in bulk)."""
    now = now or clock.now()
    outcome = Outcome(findings=len(findings))
    for finding in findings:
        outcome.by_rule[finding.rule] = outcome.by_rule.get(finding.rule, 0) + 1
    stored = {w.key: w for w in Warning.objects.filter(stored_for(selection))}
    created: list[Warning] = []
    changed: list[Warning] = []
    checked: list[int] = []  # found again, unchanged: only last_checked_at moves
    events: list[tuple[str, Warning, dict]] = []
    seen: set[str] = set()
    for finding in findings:
        if finding.key in seen:  # one finding per key; the first wins
            continue
        seen.add(finding.key)
        warning = stored.get(finding.key)
        if warning is None:
            warning = Warning(key=finding.key, first_found_at=now, created_at=now)
            _apply(warning, finding, now)
            created.append(warning)
            continue
        was, content = warning.state, _content(warning)
        _apply(warning, finding, now)
        if was == State.RESOLVED:
            warning.state = State.OPEN
            warning.resolved_at = None
            warning.reopened_count += 1
            warning.mode, warning.deadline, warning.reason, warning.approver = "", None, "", None
            events.append(("warning.reopen", warning, _event_data(warning, **{"from": was, "to": State.OPEN, "reopened_count": warning.reopened_count})))  # fmt: skip
            outcome.reopened += 1
            changed.append(warning)
        else:
            outcome.refreshed += 1
            if _content(warning) != content:
                changed.append(warning)
            else:
                checked.append(warning.pk)
    for key, warning in stored.items():
        if key in seen or warning.state == State.RESOLVED:
            continue
        was = warning.state
        warning.state = State.RESOLVED
        warning.resolved_at = now
        warning.last_checked_at = now
        warning.updated_at = now
        changed.append(warning)
        events.append(
            (
                "warning.resolve",
                warning,
                _event_data(warning, **{"from": was, "to": State.RESOLVED}),
            )
        )
        outcome.resolved += 1
    if created:
        Warning.objects.bulk_create(created, batch_size=BATCH_SIZE)
        events[:0] = [("warning.open", w, _event_data(w, **{"to": State.OPEN})) for w in created]
        outcome.opened = len(created)
    if len(changed) > SMALL_BATCH:
        Warning.objects.bulk_update(changed, CHECK_FIELDS, batch_size=BATCH_SIZE)
    else:
        for warning in changed:
            warning.save(update_fields=CHECK_FIELDS)
    for start in range(0, len(checked), BATCH_SIZE):
        Warning.objects.filter(pk__in=checked[start : start + BATCH_SIZE]).update(
            last_checked_at=now
        )
    if events:
        record_events(actor=None, entries=events)
    return outcome


def check(selection: Selection, *, today: datetime.date | None = None) -> Outcome:
    """Judge ``selection``'s subjects and bring their warnings up to date (one transaction)."""
    if selection.is_empty:
        return Outcome()
    today = today or clock.today()
    with transaction.atomic():
        facts = load_facts(selection, today=today)
        outcome = reconcile(selection, evaluate(facts))
    outcome.rooms = len(facts.subject_rooms)
    outcome.persons = len(facts.subject_persons)
    outcome.organizations = len(facts.subject_orgs)
    outcome.buildings = len(facts.subject_buildings)
    return outcome


def scan_batches(root: Region) -> list[tuple[str, Selection]]:
    """A region cut into batches: its own level, then each child subtree holding any data."""
    used = set(
        Organization.objects.filter(region__path__startswith=root.path)
        .values_list("region__path", flat=True)
        .distinct()
    ) | set(
        Compound.objects.filter(region__path__startswith=root.path)
        .values_list("region__path", flat=True)
        .distinct()
    )
    depth = root.path.count("/")
    children = sorted({"/".join(p.split("/")[: depth + 1]) + "/" for p in used if p != root.path})
    names = dict(Region.objects.filter(path__in=children).values_list("path", "name"))
    batches = []
    if root.path in used:
        batches.append((f"{root.name}（本级）", Selection.region(region_id=root.pk)))
    batches += [(names.get(p, p), Selection.region(path=p)) for p in children]
    return batches


def scan(
    *,
    region_code: str | None = None,
    today: datetime.date | None = None,
    progress: Callable[[str, Outcome], None] | None = None,
) -> Outcome:
    """A full scan of one region subtree (every region when none is given), batch by batch."""
    if region_code:
        roots: Iterable[Region] = [Region.objects.get(code=region_code)]
    else:
        roots = Region.objects.filter(parent__isnull=True).order_by("code")
    return scan_roots(roots, today=today, progress=progress)


def scan_roots(
    roots: Iterable[Region],
    *,
    today: datetime.date | None = None,
    progress: Callable[[str, Outcome], None] | None = None,
) -> Outcome:
    """A full scan of the subtrees of ``roots``, batch by batch (one transaction each)."""
    total = Outcome()
    for root in roots:
        for label, selection in scan_batches(root):
            outcome = check(selection, today=today)
            total.add(outcome)
            if progress is not None:
                progress(label, outcome)
    return total


def flag_overdue(*, today: datetime.date | None = None) -> tuple[int, int]:
    """Record a ``warning.overdue`` event for each rectification whose deadline has passed —
    once per deadline (a new deadline that passes is flagged again). Returns (overdue now,
    newly flagged)."""
    today = today or clock.today()
    overdue = list(Warning.objects.filter(overdue_q(today)).order_by("pk"))
    flagged = {
        (pk, (data or {}).get("deadline"))
        for pk, data in ObjectChange.objects.filter(
            event="warning.overdue",
            changed_object_type=ContentType.objects.get_for_model(Warning),
            changed_object_id__in=[w.pk for w in overdue],
        ).values_list("changed_object_id", "postchange_data")
    }
    entries = [
        (
            "warning.overdue",
            w,
            _event_data(w, deadline=w.deadline.isoformat(), days=(today - w.deadline).days),
        )
        for w in overdue
        if (w.pk, w.deadline.isoformat()) not in flagged
    ]
    if entries:
        record_events(actor=None, entries=entries)
    return len(overdue), len(entries)


def place_roots(paths: Iterable[str]) -> list[Region]:
    """The regions whose subtrees cover ``paths`` ("" is everywhere), none inside another."""
    paths = set(paths)
    if "" in paths:
        return list(Region.objects.filter(parent__isnull=True).order_by("code"))
    outer = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return list(Region.objects.filter(path__in=outer).order_by("path"))


def places_label(paths: Iterable[str], roots: list[Region]) -> str:
    return "全国" if "" in set(paths) else "、".join(r.name for r in roots)


def recheck_standard_places(*, version_id: int, paths: list[str]) -> str:
    """Re-judge the places an edited standard version applies to (the region subtrees
    ``paths``), recording progress where the version's page reads it."""
    roots = place_roots(paths)
    places = places_label(paths, roots)
    key = recheck_key(version_id)
    total_batches = sum(len(scan_batches(root)) for root in roots)
    started = time.perf_counter()
    done = 0

    def step(label: str, outcome: Outcome) -> None:
        nonlocal done
        done += 1
        set_progress(
            key, state="running", places=places, done=done, total=total_batches, label=label
        )

    set_progress(key, state="running", places=places, done=0, total=total_batches, label="")
    try:
        total = scan_roots(roots, today=clock.today(), progress=step)
    except Exception as exc:
        set_progress(key, state="failed", places=places, message=str(exc))
        raise
    set_progress(
        key,
        state="done",
        places=places,
        done=total_batches,
        total=total_batches,
        rooms=total.rooms,
        persons=total.persons,
        opened=total.opened,
        reopened=total.reopened,
        resolved=total.resolved,
        seconds=time.perf_counter() - started,
        finished=timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M:%S"),
    )
    return f"{places}：新增 {total.opened}，重新出现 {total.reopened}，自动解除 {total.resolved}。"


def queue_standard_recheck(*, version_id: int, paths: list[str]) -> None:
    """After the writing transaction commits, put the re-check of ``paths`` on the queue and
    show it as queued on the version's page (nothing if the write rolls back)."""
    from .tasks import recheck_standard

    def enqueue() -> None:
        places = places_label(paths, place_roots(paths))
        set_progress(recheck_key(version_id), state="queued", places=places, done=0, total=0)
        recheck_standard.enqueue(version_id=version_id, paths=sorted(set(paths)))

    transaction.on_commit(enqueue)


# Life cycle -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    needs_approval: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "rectify",
            "开始整改",
            (State.OPEN, State.RECTIFYING),
            State.RECTIFYING,
            frozenset({Role.UNIT_ADMIN, Role.BUREAU_ADMIN}),
        ),
        Transition(
            "complete",
            "整改完成",
            (State.RECTIFYING,),
            State.RESOLVED,
            frozenset({Role.UNIT_ADMIN, Role.BUREAU_ADMIN}),
        ),
        Transition(
            "defer",
            "暂不整改",
            (State.OPEN, State.RECTIFYING),
            State.DEFERRED,
            frozenset({Role.BUREAU_ADMIN, Role.LEADER}),
            needs_approval=True,
        ),
        Transition(
            "file",
            "备案",
            (State.OPEN, State.RECTIFYING),
            State.FILED,
            frozenset({Role.BUREAU_ADMIN, Role.LEADER}),
            needs_approval=True,
        ),
        Transition(
            "reopen",
            "重新打开",
            (State.DEFERRED, State.FILED),
            State.OPEN,
            frozenset({Role.BUREAU_ADMIN}),
        ),
    )
}
APPROVER_ROLES = frozenset({Role.LEADER, Role.BUREAU_ADMIN})


def in_scope(user, warning: Warning) -> bool:
    return Warning.objects.restrict(user, "view").filter(pk=warning.pk).exists()


def allowed_transitions(user, warning: Warning) -> list[Transition]:
    """The transitions ``user`` may take on ``warning`` now (its scope already checked)."""
    roles = set(getattr(user, "roles", ()) or ())
    return [t for t in TRANSITIONS.values() if warning.state in t.sources and roles & t.roles]


def eligible_approvers(warning: Warning, *, exclude: User | None = None) -> list[User]:
    """Active leader and bureau accounts whose scope holds ``warning``."""
    region_path = warning.region.path
    org_path = warning.organization.path if warning.organization_id else None
    users = []
    for user in User.objects.filter(is_active=True).select_related(
        "scope_region", "scope_organization"
    ):
        if not APPROVER_ROLES & set(user.roles or ()):
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        if (user.scope_region_id and region_path.startswith(user.scope_region.path)) or (
            user.scope_organization_id
            and org_path
            and org_path.startswith(user.scope_organization.path)
        ):
            users.append(user)
    return sorted(users, key=lambda u: u.username)


def selection_for(warning: Warning) -> Selection:
    """The object a warning is about, as a selection to re-check."""
    return Selection.of(
        rooms=[warning.room_id] if warning.subject == Subject.ROOM else (),
        persons=[warning.person_id] if warning.subject == Subject.PERSON else (),
        organizations=[warning.organization_id] if warning.subject == Subject.ORGANIZATION else (),
        buildings=[warning.building_id] if warning.subject == Subject.BUILDING else (),
    )


def still_found(warning: Warning, *, today: datetime.date | None = None) -> Finding | None:
    """The warning's finding if the rules still make it today, else None."""
    facts = load_facts(selection_for(warning), today=today or clock.today())
    return next((f for f in evaluate(facts) if f.key == warning.key), None)


def transition(
    *,
    actor,
    warning: Warning,
    action: str,
    mode: str = "",
    deadline: datetime.date | None = None,
    reason: str = "",
    approver: User | None = None,
    today: datetime.date | None = None,
) -> Warning:
    """Move ``warning`` by ``action`` (see the module docstring), as ``actor``."""
    today = today or clock.today()
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise ValidationError(f"未知的处理操作“{action}”。")
    if not set(getattr(actor, "roles", ()) or ()) & spec.roles or not actor.is_active:
        raise PermissionDenied(f"您的角色不能对预警执行“{spec.label}”。")
    with transaction.atomic():
        if not in_scope(actor, warning):
            raise ValidationError(OUT_OF_SCOPE)
        warning = (
            Warning.objects.select_for_update(of=("self",))
            .select_related("region", "organization")
            .get(pk=warning.pk)
        )
        if warning.state not in spec.sources:
            raise ValidationError(
                f"预警当前状态为“{warning.get_state_display()}”，不能执行“{spec.label}”。"
            )
        reason = (reason or "").strip()
        errors: dict[str, str] = {}
        before = warning.state
        if action == "rectify":
            if mode not in Mode.values:
                errors["mode"] = "请选择整改方式。"
            elif mode == Mode.DEADLINE:
                if deadline is None:
                    errors["deadline"] = "限期整改须填写整改期限。"
                elif deadline <= today:
                    errors["deadline"] = "整改期限须晚于今天。"
            elif deadline is not None:
                errors["deadline"] = f"“{Mode(mode).label}”不设整改期限。"
            if errors:
                raise ValidationError(errors)
            warning.mode = mode
            warning.deadline = deadline if mode == Mode.DEADLINE else None
            warning.reason = reason
        elif action == "complete":
            finding = still_found(warning, today=today)
            if finding is not None:
                raise ValidationError(
                    f"复核未通过，台账数据仍不符合规则：{finding.summary}。请先更正数据再确认整改完成。"
                )
            warning.resolved_at = clock.now()
            if reason:
                warning.reason = reason
        elif spec.needs_approval:
            if not reason:
                errors["reason"] = f"“{spec.label}”须填写理由。"
            handler = hooks.waiver_handler()
            if Role.BUREAU_ADMIN in (actor.roles or ()) and handler is not None:
                # A request: it goes to approval as a case; the warning waits for the signature.
                if errors:
                    raise ValidationError(errors)
                request = handler(actor=actor, warning=warning, action=action, reason=reason)
                record_event(
                    actor=actor,
                    event="warning.waiver_request",
                    obj=warning,
                    data={
                        "transition": spec.name,
                        "label": spec.label,
                        "from": before,
                        "reason": reason,
                        "case": request.number,
                    },
                )
                warning.waiver_request = request
                return warning
            if Role.BUREAU_ADMIN in (actor.roles or ()):
                if approver is None:
                    errors["approver"] = "请选择审批人。"
                elif approver.pk == actor.pk:
                    errors["approver"] = "审批人不能是经办人本人。"
                elif approver.pk not in {u.pk for u in eligible_approvers(warning)}:
                    errors["approver"] = "审批人须为管辖范围包含该预警的审批领导或机关事务管理员。"
            else:  # a leader: his own sign-off is the approval
                if approver is not None and approver.pk != actor.pk:
                    errors["approver"] = "审批领导本人即为审批人，不能指定他人。"
                approver = actor
            if errors:
                raise ValidationError(errors)
            warning.reason = reason
            warning.approver = approver
        elif action == "reopen":
            warning.mode, warning.deadline, warning.approver = "", None, None
            warning.reason = reason
        warning.state = spec.target
        if spec.target != State.RESOLVED:
            warning.resolved_at = None
        warning.version += 1  # a handling step is a write like any other (DESIGN §7)
        warning.save()
        record_event(
            actor=actor,
            event="warning.transition",
            obj=warning,
            data={
                "transition": spec.name,
                "label": spec.label,
                "from": before,
                "to": warning.state,
                "mode": warning.mode,
                "deadline": warning.deadline.isoformat() if warning.deadline else None,
                "reason": reason,
                "approver": approver.username if approver is not None else None,
                "approver_id": approver.pk if approver is not None else None,
            },
        )
    return warning


def apply_waiver(
    *, warning: Warning, action: str, reason: str, approver: User, reference: str = ""
) -> Warning:
    """Defer or file ``warning`` on an approval signed by ``approver`` (the warning_waiver case
    ``reference``): the one way a bureau admin's request takes effect. Refused when the warning
    has left the states it may be waived from meanwhile."""
    spec = TRANSITIONS[action]
    if not spec.needs_approval:
        raise ValidationError(f"“{spec.label}”不是暂不整改或备案。")
    with transaction.atomic():
        warning = Warning.objects.select_for_update(of=("self",)).get(pk=warning.pk)
        if warning.state not in spec.sources:
            raise ValidationError(
                f"预警“{warning.subject_label}”当前状态为“{warning.get_state_display()}”，"
                f"不能再“{spec.label}”。"
            )
        before = warning.state
        warning.state = spec.target
        warning.reason = reason
        warning.approver = approver
        warning.resolved_at = None
        warning.version += 1
        warning.save()
        record_event(
            actor=approver,
            event="warning.transition",
            obj=warning,
            data={
                "transition": spec.name,
                "label": spec.label,
                "from": before,
                "to": warning.state,
                "mode": warning.mode,
                "deadline": warning.deadline.isoformat() if warning.deadline else None,
                "reason": reason,
                "approver": approver.username,
                "approver_id": approver.pk,
                "case": reference,
            },
        )
    return warning


def record_export(*, actor, filters: dict, rows: int) -> None:
    """An export of warnings is an event of the audit trail (DESIGN §6)."""
    record_event(actor=actor, event="warning.export", data={"filters": filters, "rows": rows})
