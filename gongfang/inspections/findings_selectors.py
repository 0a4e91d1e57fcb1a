"""Reads of findings for the to-do page and other apps' pages (scoped: ``restrict(user)``)."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F

from ..framework import clock
from .findings import AWAITING_UNIT, RESPONDED, is_overdue
from .models import Finding, Urge

TODO_LIMIT = 20
URGE_DAYS = 30


def _mark_overdue(rows: list[Finding]) -> list[Finding]:
    today = clock.today()
    for row in rows:
        row.overdue = is_overdue(row, today)
    return rows


def awaiting_rectification(user) -> list[Finding]:
    """The findings the account's units must still answer, the earliest deadline first."""
    return _mark_overdue(
        list(
            Finding.objects.restrict(user, "view")
            .filter(state__in=AWAITING_UNIT)
            .select_related("organization", "item")
            .order_by(F("deadline").asc(nulls_last=True), "pk")[:TODO_LIMIT]
        )
    )


def awaiting_recheck(user) -> list[Finding]:
    """Answered findings the account may re-check: those of inspections it is on, its own, or
    (a bureau) any in its scope."""
    from ..accounts.roles import Role

    qs = Finding.objects.restrict(user, "view").filter(state=RESPONDED)
    if Role.BUREAU_ADMIN not in (user.roles or ()):
        qs = qs.filter(
            models.Q(created_by=user)
            | models.Q(inspection__inspectors=user)
            | models.Q(inspection__plan__team=user)
        ).distinct()
    return _mark_overdue(
        list(qs.select_related("organization", "item").order_by("updated_at", "pk")[:TODO_LIMIT])
    )


def recent_urges(user, *, days: int = URGE_DAYS) -> list[Urge]:
    since = clock.now() - datetime.timedelta(days=days)
    return list(
        Urge.objects.restrict(user, "view")
        .filter(at__gte=since)
        .select_related("finding", "warning", "by")
        .order_by("-at")[:10]
    )


def findings_about(user, obj: models.Model) -> list[Finding]:
    """The findings about ``obj`` (a room, a person, a building) or of an organization."""
    from ..registry.models import Organization

    qs = Finding.objects.restrict(user, "view").select_related("organization", "item")
    if isinstance(obj, Organization):
        qs = qs.filter(organization=obj)
    else:
        qs = qs.filter(subject_type=ContentType.objects.get_for_model(obj), subject_id=obj.pk)
    return _mark_overdue(list(qs.order_by("-created_at", "-pk")[:20]))
