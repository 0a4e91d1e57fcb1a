"""Reads of reporting: visible periods, the progress board, aggregation up the levels."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from ..framework import clock
from .choices import SubmissionState
from .models import ReportField, ReportPeriod, Submission
from .rules import number


def visible_periods(user):
    """Periods the account opened (its region subtree) or takes part in (a submission it sees)."""
    own = ReportPeriod.objects.restrict(user, "view")
    taking_part = Submission.objects.restrict(user, "view").values("period")
    return (
        ReportPeriod.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=taking_part))
        .select_related("form", "region")
        .order_by("-year", "region__code")
    )


def own_submission(user, period: ReportPeriod) -> Submission | None:
    """The submission the account fills itself in ``period`` (its organization, or its region's
    bureau submission)."""
    qs = Submission.objects.filter(period=period, is_current=True).select_related(
        "region", "organization", "receiver"
    )
    if getattr(user, "scope_organization_id", None):
        return qs.filter(organization_id=user.scope_organization_id).first()
    if getattr(user, "scope_region_id", None):
        return qs.filter(unit_key=f"region:{user.scope_region_id}").first()
    return None


def progress(user, period: ReportPeriod):
    """Every current submission of the period the account sees (the 填报进度清单), with the
    days left."""
    today = clock.today()
    rows = list(
        Submission.objects.restrict(user, "view")
        .filter(period=period, is_current=True)
        .select_related("region", "organization", "receiver")
        .order_by("region__path", "organization__path")
    )
    days = (period.deadline - today).days
    for row in rows:
        row.days_left = None if row.state in DONE else days
        row.overdue_days = -days if row.days_left is not None and days < 0 else 0
    return rows


DONE = frozenset({SubmissionState.SUBMITTED, SubmissionState.ACCEPTED})


def state_counts(rows) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.state] += 1
    return dict(counts)


@dataclass
class Aggregate:
    """A bureau's figures: its own, the accepted children's, the registry's, what is missing."""

    submission: Submission
    fields: list[ReportField]
    own: dict[str, Decimal]
    totals: dict[str, Decimal]
    registry: dict[str, Decimal]
    # The registry's figures of the part the totals cover: this level and accepted children.
    covered: dict[str, Decimal] = field(default_factory=dict)
    missing: list[Submission] = field(default_factory=list)
    accepted_children: int = 0

    @property
    def rows(self) -> list[dict]:
        out = []
        for f in self.fields:
            total, reg = self.totals.get(f.code), self.registry.get(f.code)
            covered = self.covered.get(f.code)
            diff = (total - covered) if total is not None and covered is not None else None
            out.append(
                {
                    "field": f,
                    "own": self.own.get(f.code),
                    "children": (total - self.own.get(f.code, Decimal(0)))
                    if total is not None
                    else None,
                    "total": total,
                    "registry": reg,
                    "difference": diff,
                }
            )
        return out


def _numbers(values: dict, codes: list[str]) -> dict[str, Decimal]:
    return {c: number(values.get(c)) or Decimal(0) for c in codes}


def aggregate_period(period: ReportPeriod) -> dict[int, Aggregate]:
    """Every bureau submission's aggregate, bottom-up over the whole period in one read.

    A child counts with its latest accepted revision; the registry figure of a bureau is the sum
    of the pre-filled (as-of) values of every unit beneath it, whatever their state.
    """
    fields = [
        f
        for f in ReportField.objects.filter(table__form=period.form_id, summable=True)
        .select_related("table")
        .order_by("table__order", "order")
    ]
    codes = [f.code for f in fields]
    subs = list(Submission.objects.filter(period=period).select_related("region", "organization"))
    current = {s.unit_key: s for s in subs if s.is_current}
    accepted: dict[str, Submission] = {}
    for s in subs:
        if s.state == SubmissionState.ACCEPTED and (
            s.unit_key not in accepted or s.revision > accepted[s.unit_key].revision
        ):
            accepted[s.unit_key] = s
    by_receiver: dict[int, list[Submission]] = defaultdict(list)
    for s in current.values():
        if s.receiver_id:
            by_receiver[s.receiver_id].append(s)
    bureaus = sorted(
        (s for s in current.values() if s.is_bureau), key=lambda s: -s.region.path.count("/")
    )
    totals: dict[str, dict[str, Decimal]] = {}
    registry: dict[str, dict[str, Decimal]] = {}
    result: dict[int, Aggregate] = {}
    for s in current.values():
        if not s.is_bureau:
            totals[s.unit_key] = (
                _numbers(accepted[s.unit_key].values, codes) if s.unit_key in accepted else {}
            )
            registry[s.unit_key] = _numbers(s.prefilled, codes)
    for b in bureaus:  # deepest first: children are done before their parent
        own = _numbers(b.values, codes)
        total = dict(own)
        reg = _numbers(b.prefilled, codes)
        covered = dict(reg)
        missing = []
        taken = 0
        for child in by_receiver.get(b.region_id, []):
            for c in codes:
                reg[c] += registry[child.unit_key].get(c, Decimal(0))
            if child.unit_key in accepted:
                taken += 1
                child_totals = totals.get(child.unit_key) or _numbers(
                    accepted[child.unit_key].values, codes
                )
                for c in codes:
                    total[c] += child_totals.get(c, Decimal(0))
                    covered[c] += registry[child.unit_key].get(c, Decimal(0))
            else:
                missing.append(child)
        totals[b.unit_key] = total
        registry[b.unit_key] = reg
        result[b.pk] = Aggregate(b, fields, own, total, reg, covered, missing, taken)
    return result


def aggregate(submission: Submission) -> Aggregate | None:
    if not submission.is_bureau:
        return None
    return aggregate_period(submission.period).get(submission.pk)


def todo_items(user) -> list[dict]:
    """What waits for the account in open periods: its own figures to send, its children's to
    decide (label, url, deadline, overdue)."""
    from .choices import PeriodState

    if not user.is_authenticated:
        return []
    today = clock.today()
    items = []
    open_subs = Submission.objects.filter(period__state=PeriodState.OPEN, is_current=True)
    own = Q(pk__in=[])
    if getattr(user, "scope_organization_id", None) and user.has_role("unit_admin"):
        own = Q(organization_id=user.scope_organization_id)
    elif getattr(user, "scope_region_id", None) and user.has_role("bureau_admin"):
        own = Q(unit_key=f"region:{user.scope_region_id}")
    for s in (
        open_subs.filter(own)
        .exclude(state__in=DONE)
        .select_related("period__form", "period__region")
    ):
        items.append(
            {
                "label": f"填报：{s.period}",
                "url": s.get_absolute_url(),
                "deadline": s.period.deadline,
                "overdue": s.period.deadline < today,
                "state": s.get_state_display(),
            }
        )
    if getattr(user, "scope_region_id", None) and user.has_role("bureau_admin"):
        waiting = (
            open_subs.filter(receiver_id=user.scope_region_id, state=SubmissionState.SUBMITTED)
            .values("period")
            .order_by()
        )
        counts: dict[int, int] = defaultdict(int)
        for row in waiting:
            counts[row["period"]] += 1
        for period in ReportPeriod.objects.filter(pk__in=counts).select_related("form", "region"):
            items.append(
                {
                    "label": f"待接收：{period}（{counts[period.pk]} 份）",
                    "url": period.get_absolute_url(),
                    "deadline": period.deadline,
                    "overdue": False,
                    "state": "待接收",
                }
            )
    return items
