"""Stage gates of a maintenance project: what must be on file before a project may enter a stage.

Guangxi's 《党政机关办公用房大中型维修项目管理规范》 (seed 004) asks, per stage, for the papers
of the stage before: a scheme and estimate to apply for approval, a signed contract (and for
large and medium works the drawings and tender papers) before the works start, photos of the
works before acceptance, the completion papers before the archive. That table is data, the
``StageRequirement`` rows (national ones seeded by migration 0004, a bureau's own for its region);
:func:`requirements_for` reads the rows in force for a project's region and :func:`missing` says
in Chinese what is lacking. Conditions that are not papers (progress at 100 % before acceptance,
a passed acceptance before the evaluation) are checked by the services beside it.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from ..framework import clock
from ..standards.models import region_prefixes
from .choices import GateStage
from .models import StageRequirement

# The stage of the case application (申报 → 立项 is decided by the case).
SUBMIT = GateStage.SUBMIT.value
# How a message names the step the gate stands before.
STAGE_NAMES = dict(GateStage.choices)


def requirements_for(
    stage: str, kind: str, region=None, on: datetime.date | None = None
) -> list[StageRequirement]:
    """The papers ``stage`` asks of a project of ``kind`` in ``region`` on ``on``: per archives
    category the row of the nearest region (else the national one), the latest in force; rows of
    count 0 (a region's "not required") are left out."""
    on = on or clock.today()
    prefixes = region_prefixes(region.path) if region is not None else []
    depth = {prefix: i + 1 for i, prefix in enumerate(prefixes)}
    rows = (
        StageRequirement.objects.filter(stage=stage, project_kind=kind, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .filter(Q(region__isnull=True) | Q(region__path__in=prefixes))
        .select_related("region")
    )
    chosen: dict[str, StageRequirement] = {}
    for row in sorted(
        rows,
        key=lambda r: (depth.get(r.region.path, 0) if r.region else 0, r.effective_from, r.pk),
    ):
        chosen[row.category] = row
    return [row for row in chosen.values() if row.count > 0]


def document_counts(project) -> dict[str, int]:
    """Current documents of ``project`` by category code (whoever filed them)."""
    from django.db.models import Count

    from ..archives.models import Document

    rows = (
        Document.objects.filter(
            subject_type=ContentType.objects.get_for_model(type(project)),
            subject_id=project.pk,
            is_current=True,
        )
        .values("category__code")
        .annotate(n=Count("pk"))
    )
    return {row["category__code"]: row["n"] for row in rows}


def missing(project, stage: str) -> list[str]:
    """What is lacking for ``project`` to enter ``stage``, one Chinese sentence each."""
    needed = requirements_for(stage, project.kind, project.region)
    if not needed:
        return []
    counts = document_counts(project)
    out = []
    for req in needed:
        have = counts.get(req.category, 0)
        if have < req.count:
            out.append(
                f"{STAGE_NAMES[stage]}前须上传“{req.label}”{req.count} 份（档案类别："
                f"{category_name(req.category)}），现有 {have} 份。"
            )
    return out


def category_name(code: str) -> str:
    from ..archives.models import DocumentCategory

    category = DocumentCategory.objects.filter(code=code).only("name").first()
    return category.name if category is not None else code
