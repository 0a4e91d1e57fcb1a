"""Stage gates of a maintenance project: what must be on file before a project may enter a stage.

Guangxi's 《党政机关办公用房大中型维修项目管理规范》 (seed 004) asks, per stage, for the papers
of the stage before: a scheme and estimate to apply for approval, a signed contract (and for
large and medium works the drawings and tender papers) before the works start, photos of the
works before acceptance, the completion papers before the archive. ``REQUIREMENTS`` is that
table as data — (stage entered, project kind, archives category code, how many, what it is) —
read by :func:`missing`, which says in Chinese what is lacking. Conditions that are not papers
(progress at 100 % before acceptance, a passed acceptance before the evaluation) are checked by
the services beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from .choices import ProjectKind, Stage

# The stage of the case application (申报 → 立项 is decided by the case).
SUBMIT = "submit"
# How a message names the step the gate stands before.
STAGE_NAMES = {
    SUBMIT: "提交立项申请",
    Stage.IN_PROGRESS: "开始实施",
    Stage.ACCEPTED: "验收",
    Stage.EVALUATED: "评价",
    Stage.ARCHIVED: "归档",
}


@dataclass(frozen=True)
class Requirement:
    stage: str  # the stage entered (or SUBMIT)
    kind: str  # ProjectKind
    category: str  # archives DocumentCategory.code
    count: int
    label: str  # what the paper is, in the message


MAJOR, MINOR = ProjectKind.MAJOR, ProjectKind.MINOR

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(SUBMIT, MAJOR, "maintenance", 1, "维修方案及概算"),
    Requirement(Stage.IN_PROGRESS, MAJOR, "contract", 1, "施工合同"),
    Requirement(Stage.IN_PROGRESS, MAJOR, "construction", 1, "施工图设计及招标文件"),
    Requirement(Stage.IN_PROGRESS, MINOR, "contract", 1, "施工合同（或维修协议）"),
    Requirement(Stage.ACCEPTED, MAJOR, "photo", 2, "施工前后照片"),
    Requirement(Stage.ACCEPTED, MINOR, "photo", 1, "施工前后照片"),
    Requirement(Stage.ARCHIVED, MAJOR, "maintenance", 2, "维修方案及竣工验收资料"),
    Requirement(Stage.ARCHIVED, MINOR, "maintenance", 1, "竣工验收资料"),
)


def requirements_for(stage: str, kind: str) -> list[Requirement]:
    return [r for r in REQUIREMENTS if r.stage == stage and r.kind == kind]


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
    needed = requirements_for(stage, project.kind)
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
