"""Reads of survey: a batch's page (floors, items, confirmations, signatures) and the to-do of
each party."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from ..registry.models import Floor
from . import services
from .models import BatchState, Decision, Party, SurveyBatch, SurveyItem


@dataclass
class Waiting:
    batch: SurveyBatch
    what: list[str] = field(default_factory=list)


def waiting_for(user) -> list[Waiting]:
    """The batches where ``user`` owes something: drawings, decisions or a signature."""
    batches = (
        SurveyBatch.objects.restrict(user, "view")
        .filter(
            state__in=(
                BatchState.SURVEYING,
                BatchState.RETURNED,
                BatchState.CONFIRMING,
                BatchState.SIGNING,
            )
        )
        .select_related("region")
        .order_by("planned_end", "pk")[:50]
    )
    out = []
    for batch in batches:
        what = []
        roles = {r.party for r in services.roles_of(user, batch)}
        if Party.SURVEYOR in roles and batch.state in services.EDITABLE_STATES:
            what.append(
                "退回修改，请修正后重新提交"
                if batch.state == BatchState.RETURNED
                else "上传图纸并提交确认"
            )
        if batch.state == BatchState.CONFIRMING:
            for party in roles:
                pending = services.party_items(user, batch, party).exclude(
                    **{f"{party}_decision": Decision.CONFIRMED}
                )
                if party == Party.UNIT:
                    pending = pending.exclude(organization=None)
                n = pending.count()
                if n:
                    what.append(f"{Party(party).label}待确认 {n} 间")
        if batch.state == BatchState.SIGNING and services.pending_signatures(user, batch):
            what.append("待签字")
        if what:
            out.append(Waiting(batch, what))
    return out


@dataclass
class FloorRow:
    floor: Floor
    drawing: object | None
    items: int = 0
    beyond: int = 0


def floor_rows(batch: SurveyBatch) -> list[FloorRow]:
    """Every floor of the batch's buildings with its drawing (if any) and item counts."""
    drawings = {d.floor_id: d for d in batch.drawings.select_related("document")}
    counts = {
        row["floor"]: row
        for row in batch.items.values("floor").annotate(
            n=Count("id"), beyond=Count("id", filter=Q(beyond_tolerance=True))
        )
    }
    floors = (
        Floor.objects.filter(building__in=batch.buildings.all())
        .select_related("building__compound")
        .order_by("building__compound__name", "building__name", "-number")
    )
    return [
        FloorRow(
            f,
            drawings.get(f.pk),
            counts.get(f.pk, {}).get("n", 0),
            counts.get(f.pk, {}).get("beyond", 0),
        )
        for f in floors
    ]


def item_summary(items) -> dict:
    """Counts and area sums of a set of items (the reconciliation's header)."""
    return items.aggregate(
        total=Count("id"),
        matched=Count("id", filter=Q(kind="matched")),
        new=Count("id", filter=Q(kind="new")),
        missing=Count("id", filter=Q(kind="missing")),
        beyond=Count("id", filter=Q(beyond_tolerance=True)),
        registered=Sum("registered_area"),
        drawn=Sum("drawn_area"),
        disputed=Count(
            "id",
            filter=Q(unit_decision=Decision.DISPUTED)
            | Q(surveyor_decision=Decision.DISPUTED)
            | Q(bureau_decision=Decision.DISPUTED),
        ),
    )


def visible_items(user, batch: SurveyBatch):
    """The batch's items ``user`` may read (a unit: its own rooms only)."""
    return (
        SurveyItem.objects.restrict(user, "view")
        .filter(batch=batch)
        .select_related("floor__building", "organization", "room__organization")
    )
