"""Reads of the data review: counts per unit, the objects a cross reviewer may see, to-dos."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from ..accounts.roles import Role
from .checks import in_review
from .models import UNRECTIFIED, Assignment, Finding, FindingState, Review

RECTIFIED = (FindingState.RECTIFIED, FindingState.CLOSED)


@dataclass(frozen=True)
class UnitCount:
    organization_id: int
    name: str
    found: int
    rectified: int  # rectified by the unit (awaiting re-check or closed)
    closed: int
    open: int  # still to rectify (open or sent back)


def counts(findings: QuerySet) -> dict[str, int]:
    return findings.aggregate(
        found=Count("pk"),
        rectified=Count("pk", filter=Q(state__in=RECTIFIED)),
        closed=Count("pk", filter=Q(state=FindingState.CLOSED)),
        open=Count("pk", filter=Q(state__in=UNRECTIFIED)),
    )


def counts_per_unit(review: Review, user) -> list[UnitCount]:
    """发现 / 已整改 / 已销号 / 未整改 per responsible unit of the findings ``user`` may read."""
    rows = (
        Finding.objects.restrict(user, "view")
        .filter(review=review)
        .values("organization_id", "organization__name")
        .annotate(
            found=Count("pk"),
            rectified=Count("pk", filter=Q(state__in=RECTIFIED)),
            closed=Count("pk", filter=Q(state=FindingState.CLOSED)),
            open=Count("pk", filter=Q(state__in=UNRECTIFIED)),
        )
        .order_by("-open", "-found", "organization__name")
    )
    return [
        UnitCount(
            organization_id=r["organization_id"],
            name=r["organization__name"],
            found=r["found"],
            rectified=r["rectified"],
            closed=r["closed"],
            open=r["open"],
        )
        for r in rows
    ]


def visible_assignments(review: Review, user) -> QuerySet:
    return (
        Assignment.objects.restrict(user, "view")
        .filter(review=review)
        .select_related("reviewed_organization", "reviewer_organization", "reviewer")
    )


def assigned_objects(assignment: Assignment, subject: str, limit: int = 200) -> QuerySet:
    """The reviewed unit's rows of ``subject`` inside the review, for its cross reviewer (who
    may not read them through the registry's own scope)."""
    org = assignment.reviewed_organization
    qs = in_review(assignment.review, subject)
    lookup = {"room": "organization", "person": "organization"}[subject]
    return qs.filter(**{f"{lookup}__path__startswith": org.path})[:limit]


def awaiting_rectification(user, limit: int = 10) -> list[Finding]:
    if Role.UNIT_ADMIN not in (user.roles or ()) or not user.scope_organization_id:
        return []
    return list(
        Finding.objects.restrict(user, "view")
        .filter(
            state__in=UNRECTIFIED,
            organization__path__startswith=user.scope_organization.path,
            review__state="open",
        )
        .select_related("organization")
        .order_by("state", "created_at")[:limit]
    )


def awaiting_recheck(user, limit: int = 10) -> list[Finding]:
    if Role.BUREAU_ADMIN in (user.roles or ()) and user.scope_region_id:
        qs = Finding.objects.restrict(user, "change")
    elif Role.UNIT_ADMIN in (user.roles or ()) and user.scope_organization_id:
        qs = Finding.objects.filter(assignment__reviewer_organization_id=user.scope_organization_id)
    else:
        return []
    return list(
        qs.filter(state=FindingState.RECTIFIED, review__state="open")
        .select_related("organization")
        .order_by("rectified_at")[:limit]
    )
