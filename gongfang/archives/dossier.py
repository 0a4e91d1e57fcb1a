"""The one-click dossier (一房一档) of a compound or a building.

A dossier is a Chinese PDF of the registry's facts about the property as of the day it is built
— titles, buildings, floors and rooms, areas by room category, occupying organizations, open
warnings, the cases naming it and whatever higher apps add through :func:`register_section`
(maintenance history) — followed by an index of its papers, and a zip of every current paper of
the property and of its buildings, floors, rooms and titles, one folder per category, with the
PDF inside. Both are kept as documents of category 一房一档 on the property, each superseding
the previous dossier, so the panel shows the newest and the versions keep the history.

The build runs on the task queue (:func:`start_dossier` → :func:`build_dossier_task`), reporting
its progress through ``framework.progress`` to a page that polls it. Every fact and paper is read
through the scope of the account that asked for it; only an account that may file papers on the
property may build its dossier.
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Model, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from ..framework import progress
from ..framework.pdf import render_pdf
from ..framework.templatetags.gongfang import area
from .models import Document
from .subjects import can_see_subject, can_write_subject

logger = logging.getLogger(__name__)

CATEGORY = "dossier"
ZIP_TYPE = "application/zip"
PDF_TYPE = "application/pdf"
ZERO = Decimal("0")
# Already compressed: stored as they are in the zip (deflating them again only costs time).
STORED_TYPES = frozenset(
    {
        PDF_TYPE,
        ZIP_TYPE,
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)


# Sections from higher apps -----------------------------------------------------------------------
@dataclass(frozen=True)
class DossierSection:
    """A table of the dossier written by another app (maintenance history …)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    note: str = ""


SectionProvider = Callable[[Model, datetime.date], "DossierSection | None"]
_providers: list[SectionProvider] = []


def register_section(provider: SectionProvider) -> SectionProvider:
    """``provider(subject, as_of)`` returns a section for a compound's or a building's dossier,
    or None when it has nothing for that subject."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


# Facts ------------------------------------------------------------------------------------------
@dataclass
class Facts:
    """What the registry holds about the property as of ``as_of``, in the account's scope."""

    subject: Model
    kind: str  # "compound" / "building"
    as_of: datetime.date
    particulars: list[tuple[str, Any]]
    titles: list[Any]
    buildings: list[dict[str, Any]]
    floors: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    organizations: list[dict[str, Any]]
    warnings: list[Any]
    cases: list[Any]
    sections: list[DossierSection] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)


def _is_property(subject: object) -> bool:
    from ..registry.models import Building, Compound

    return isinstance(subject, Compound | Building)


def _buildings(user, subject: Model) -> QuerySet:
    from ..registry.models import Building

    buildings = Building.objects.restrict(user, "view")
    if subject._meta.model_name == "compound":
        return buildings.filter(compound=subject)
    return buildings.filter(pk=subject.pk)


def facts(user, subject: Model, as_of: datetime.date | None = None) -> Facts:
    """The registry's facts about a compound or a building that ``user`` may see."""
    from ..compliance.models import ACTIVE_STATES, Warning
    from ..registry.choices import RoomCategory
    from ..registry.models import Floor, Room
    from ..titles.models import Title
    from ..workflow.choices import CaseState
    from ..workflow.models import Case

    as_of = as_of or timezone.localdate()
    kind = subject._meta.model_name
    buildings = _buildings(user, subject).order_by("name")
    building_ids = list(buildings.values_list("pk", flat=True))
    rooms = Room.objects.restrict(user, "view").filter(floor__building__in=building_ids)
    room_ids = rooms.values("pk")

    per_building = {
        row["floor__building"]: row
        for row in rooms.values("floor__building").annotate(
            rooms=Count("pk"), usable=Sum("usable_area")
        )
    }
    floor_counts = dict(
        Floor.objects.filter(building__in=building_ids)
        .values_list("building")
        .annotate(n=Count("pk"))
    )
    building_rows = [
        {
            "building": b,
            "floors": floor_counts.get(b.pk, 0),
            "rooms": per_building.get(b.pk, {}).get("rooms", 0),
            "room_usable_area": per_building.get(b.pk, {}).get("usable") or ZERO,
        }
        for b in buildings
    ]
    floor_rows: list[dict[str, Any]] = []
    if kind == "building":
        per_floor = {
            row["floor"]: row
            for row in rooms.values("floor").annotate(rooms=Count("pk"), usable=Sum("usable_area"))
        }
        floor_rows = [
            {
                "floor": f,
                "rooms": per_floor.get(f.pk, {}).get("rooms", 0),
                "usable": per_floor.get(f.pk, {}).get("usable") or ZERO,
            }
            for f in Floor.objects.filter(building=subject).order_by("-number")
        ]

    labels = dict(RoomCategory.choices)
    order = {code: n for n, code in enumerate(labels)}
    by_category = rooms.values("category").annotate(
        rooms=Count("pk"), usable=Sum("usable_area"), building_area=Sum("building_area")
    )
    categories = [
        {
            "label": labels.get(row["category"], row["category"]),
            "rooms": row["rooms"],
            "usable": row["usable"] or ZERO,
            "building_area": row["building_area"] or ZERO,
        }
        for row in sorted(by_category.order_by(), key=lambda r: order.get(r["category"], 99))
    ]
    organizations = [
        {
            "name": row["organization__name"] or "（未分配使用单位）",
            "rooms": row["rooms"],
            "usable": row["usable"] or ZERO,
        }
        for row in rooms.values("organization", "organization__name")
        .annotate(rooms=Count("pk"), usable=Sum("usable_area"))
        .order_by("-usable", "organization__name")
    ]
    titles = list(
        Title.objects.restrict(user, "view")
        .filter(Q(building__in=building_ids) | (Q(compound=subject) if kind == "compound" else Q()))
        .select_related("compound", "building__compound", "holder")
        .order_by("pk")
    )
    warnings = list(
        Warning.objects.restrict(user, "view")
        .filter(state__in=ACTIVE_STATES)
        .filter(Q(building__in=building_ids) | Q(room__in=room_ids))
        .order_by("rule", "first_found_at", "pk")
    )
    named = Q(subjects__building__in=building_ids) | Q(subjects__room__in=room_ids)
    if kind == "compound":
        named |= Q(subjects__compound=subject)
    cases = list(
        Case.objects.restrict(user, "view")
        .exclude(state=CaseState.DRAFT)
        .filter(pk__in=Case.objects.filter(named).values("pk"))
        .select_related("applicant")
        .order_by("-submitted_at", "-pk")
    )
    result = Facts(
        subject=subject,
        kind=kind,
        as_of=as_of,
        particulars=_particulars(subject),
        titles=titles,
        buildings=building_rows,
        floors=floor_rows,
        categories=categories,
        organizations=organizations,
        warnings=warnings,
        cases=cases,
        sections=[s for s in (provider(subject, as_of) for provider in _providers) if s],
    )
    result.totals = {
        "buildings": len(building_rows),
        "floors": sum(row["floors"] for row in building_rows),
        "rooms": sum(row["rooms"] for row in categories),
        "usable": sum((row["usable"] for row in categories), ZERO),
        "building_area": sum((b.building_area for b in buildings), ZERO),
    }
    return result


def _particulars(subject: Model) -> list[tuple[str, Any]]:
    if subject._meta.model_name == "compound":
        return [
            ("院落名称", subject.name),
            ("所在区划", subject.region.name),
            ("地址", subject.address or "—"),
            ("产权/管理单位", subject.owner_org.name),
            ("土地面积", f"{area(subject.land_area)} 平方米" if subject.land_area else "—"),
            ("土地证号", subject.land_certificate or "—"),
        ]
    return [
        ("楼座名称", subject.name),
        ("所在院落", subject.compound.name),
        ("所在区划", subject.compound.region.name),
        ("地址", subject.compound.address or "—"),
        ("层数", f"地上 {subject.floors_above} 层，地下 {subject.floors_below} 层"),
        ("建筑面积", f"{area(subject.building_area)} 平方米"),
        ("使用面积", f"{area(subject.usable_area)} 平方米"),
        ("建成年份", f"{subject.year_built} 年" if subject.year_built else "—"),
        ("建筑类型", subject.get_height_class_display()),
        ("权属状态", subject.get_title_status_display()),
    ]


# Papers -----------------------------------------------------------------------------------------
@dataclass
class Entry:
    """One paper in the zip: where it went, or why it is missing."""

    document: Document
    subject_label: str
    path: str = ""
    missing: bool = False


def papers(user, subject: Model) -> list[Entry]:
    """Current papers (not earlier dossiers) of the property and of its buildings, floors, rooms
    and titles that ``user`` may see, by category then subject."""
    from ..registry.models import Building, Compound, Floor, Room
    from ..titles.models import Title

    buildings = _buildings(user, subject)
    building_ids = list(buildings.values_list("pk", flat=True))
    floors = Floor.objects.filter(building__in=building_ids)
    rooms = Room.objects.filter(floor__building__in=building_ids)
    title_q = Q(building__in=building_ids)
    if subject._meta.model_name == "compound":
        title_q |= Q(compound=subject)
    children: list[tuple[type[Model], QuerySet]] = [
        (Building, buildings.values("pk")),
        (Floor, floors.values("pk")),
        (Room, rooms.values("pk")),
        (Title, Title.objects.filter(title_q).values("pk")),
    ]
    types = ContentType.objects.get_for_models(
        Compound, Building, Floor, Room, Title, for_concrete_models=False
    )
    q = Q(subject_type=types[type(subject)], subject_id=subject.pk)
    for model, ids in children:
        q |= Q(subject_type=types[model], subject_id__in=ids)
    documents = list(
        Document.objects.restrict(user, "view")
        .current()
        .filter(q)
        .exclude(category__code=CATEGORY)
        .select_related("category", "subject_type")
        .order_by("category__order", "category__pk", "subject_type", "subject_id", "pk")
    )
    labels = _subject_labels(documents)
    return [Entry(d, labels.get((d.subject_type_id, d.subject_id), "—")) for d in documents]


def _subject_labels(documents: list[Document]) -> dict[tuple[int, int], str]:
    """``str()`` of each document's subject, one query per subject type."""
    wanted: dict[int, set[int]] = {}
    for document in documents:
        wanted.setdefault(document.subject_type_id, set()).add(document.subject_id)
    labels = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        related = {
            "building": ["compound"],
            "floor": ["building__compound"],
            "room": ["floor__building__compound"],
            "title": ["compound", "building__compound"],
        }.get(model._meta.model_name, [])
        for obj in model._base_manager.select_related(*related).filter(pk__in=ids):
            labels[(type_id, obj.pk)] = str(obj)
    return labels


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def safe_name(name: str, fallback: str = "文件") -> str:
    """A file or folder name for the zip: one component, no separators, reserved characters or
    control characters, no leading dots (never a path from the uploader's name)."""
    name = unicodedata.normalize("NFC", name or "")
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if name in {"", "_"}:
        return fallback
    return name[:150]


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``stem (2).ext`` … when a file of that name (ignoring case) is in the folder."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}){'.' + ext if ext else ''}"
    taken.add(candidate.casefold())
    return candidate


def write_papers(
    archive: zipfile.ZipFile, entries: list[Entry], report: Callable[[], None]
) -> None:
    """Copy each paper's file into its category's folder; a file gone from storage is listed as
    missing in the PDF, not fatal."""
    taken: dict[str, set[str]] = {}
    for entry in entries:
        document = entry.document
        folder = safe_name(document.category.name, "其他")
        name = _unique(safe_name(document.original_name), taken.setdefault(folder, set()))
        path = f"{folder}/{name}"
        info = zipfile.ZipInfo(path, _zip_time())
        stored = document.content_type in STORED_TYPES
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        try:
            with document.file.open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
            entry.path = path
        except (FileNotFoundError, ValueError):
            logger.warning("dossier: file of document %s is missing", document.pk)
            taken[folder].discard(name.casefold())
            entry.missing = True
        report()


def _zip_time() -> tuple[int, int, int, int, int, int]:
    now = timezone.localtime()
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


# Building ---------------------------------------------------------------------------------------
def can_build(user, subject: object) -> bool:
    """Whether ``user`` may build the dossier of ``subject``: a compound or building on which
    the account may file papers."""
    return (
        _is_property(subject)
        and getattr(user, "is_authenticated", False)
        and can_write_subject(user, subject, "add")
    )


def _check(user, subject: Model) -> None:
    if not _is_property(subject):
        raise ValidationError("只能为院落或楼座生成一房一档。")
    if not can_build(user, subject):
        if can_see_subject(user, subject):
            raise PermissionDenied(f"您没有为“{subject}”生成一房一档的权限。")
        raise PermissionDenied("该对象不存在或超出您的管辖范围。")


def _current_dossier(subject: Model, content_type: str) -> Document | None:
    return (
        Document.objects.of(subject)
        .current()
        .filter(category__code=CATEGORY, content_type=content_type)
        .order_by("-pk")
        .first()
    )


@dataclass
class Built:
    pdf: Document
    zip: Document
    papers: int
    missing: int


def build_dossier(
    *, user, subject: Model, report: Callable[[str, int, int], None] | None = None
) -> Document:
    """Build the dossier of ``subject`` now (the queue's task calls this) and keep it: returns
    the zip document (the PDF inside it is kept as a document too, see :func:`build`)."""
    return build(user=user, subject=subject, report=report).zip


def build(*, user, subject: Model, report: Callable[[str, int, int], None] | None = None) -> Built:
    """The PDF and the zip of ``subject``'s dossier, kept as two documents of category 一房一档.

    ``report(stage, done, total)`` is told how far the build has got.
    """
    from .services import add_document

    _check(user, subject)
    report = report or (lambda stage, done, total: None)
    today = timezone.localdate()
    entries = papers(user, subject)
    total = len(entries) + 3
    report("正在汇总登记信息", 0, total)
    data = facts(user, subject, today)
    done = 1
    with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as buffer:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

            def step() -> None:
                nonlocal done
                done += 1
                report("正在打包档案资料", done, total)

            write_papers(archive, entries, step)
            report("正在生成 PDF", done, total)
            generated_at = timezone.localtime()
            pdf = render_pdf(
                "archives/dossier_pdf.html",
                {
                    "facts": data,
                    "entries": entries,
                    "missing": sum(e.missing for e in entries),
                    "generated_at": generated_at,
                    "generated_by": user,
                },
            )
            done += 1
            pdf_name = safe_name(f"一房一档-{subject}-{today:%Y%m%d}.pdf")
            archive.writestr(zipfile.ZipInfo(pdf_name, _zip_time()), pdf, zipfile.ZIP_STORED)
        buffer.seek(0)
        zipped = buffer.read()
    report("正在保存", done, total)
    title = f"一房一档：{subject}（{today:%Y-%m-%d}）"
    with transaction.atomic():
        pdf_document = add_document(
            user=user,
            subject=subject,
            category=CATEGORY,
            file=SimpleUploadedFile(pdf_name, pdf),
            title=title,
            issued_on=today,
            source="系统生成",
            supersedes=_current_dossier(subject, PDF_TYPE),
        )
        zip_document = add_document(
            user=user,
            subject=subject,
            category=CATEGORY,
            file=SimpleUploadedFile(pdf_name.removesuffix(".pdf") + "-资料包.zip", zipped),
            title=f"{title}资料包",
            issued_on=today,
            source="系统生成",
            supersedes=_current_dossier(subject, ZIP_TYPE),
        )
    report("已完成", total, total)
    return Built(pdf_document, zip_document, len(entries), sum(e.missing for e in entries))


# The queue --------------------------------------------------------------------------------------
def _key(token: str) -> str:
    return f"archives-dossier:{token}"


def job(token: str, user) -> dict[str, Any] | None:
    """The progress of a dossier build the account asked for (None: unknown, or another's)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token or ""):
        return None
    data = progress.get_progress(_key(token))
    if data is None or data.get("user_id") != user.pk:
        return None
    return data


def start_dossier(*, user, subject: Model) -> str:
    """Put the build of ``subject``'s dossier on the queue; the token its progress page reads."""
    _check(user, subject)
    token = secrets.token_urlsafe(18)
    subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    progress.set_progress(
        _key(token),
        state="queued",
        stage="排队等待后台处理",
        done=0,
        total=0,
        user_id=user.pk,
        subject=str(subject),
        subject_url=subject.get_absolute_url(),
    )
    transaction.on_commit(
        lambda: build_dossier_task.enqueue(token, user.pk, subject_type.pk, subject.pk)
    )
    return token


@task()
def build_dossier_task(token: str, user_id: int, subject_type_id: int, subject_id: int) -> None:
    """Build one dossier, recording its progress (and its failure, in Chinese) under ``token``."""
    from ..accounts.models import User

    key = _key(token)
    base = progress.get_progress(key) or {}
    base = {k: base[k] for k in ("user_id", "subject", "subject_url") if k in base}

    def report(stage: str, done: int, total: int) -> None:
        progress.set_progress(key, **base, state="running", stage=stage, done=done, total=total)

    try:
        user = User.objects.get(pk=user_id)
        model = ContentType.objects.get_for_id(subject_type_id).model_class()
        subject = model._base_manager.get(pk=subject_id)
        built = build(user=user, subject=subject, report=report)
    except Exception as exc:
        message = _message(exc)
        progress.set_progress(key, **base, state="failed", stage="生成失败", message=message)
        logger.exception("dossier %s failed", token)
        raise
    progress.set_progress(
        key,
        **base,
        state="done",
        stage="已完成",
        done=1,
        total=1,
        pdf_url=reverse("archives:document_file", args=[built.pdf.pk]),
        zip_url=reverse("archives:document_file", args=[built.zip.pk]),
        pdf_id=built.pdf.pk,
        zip_id=built.zip.pk,
        papers=built.papers,
        missing=built.missing,
    )


def _message(exc: Exception) -> str:
    """A Chinese reason for the page: ours as written, anything else in general terms."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    if isinstance(exc, PermissionDenied) and str(exc):
        return str(exc)
    if isinstance(exc, ObjectDoesNotExist | LookupError):
        return "该院落或楼座已不存在。"
    return "生成过程中出现错误，请稍后重试；如仍失败，请联系系统管理员。"


def register() -> None:
    """The "生成一房一档" button on compound and building pages."""
    from ..framework.objectactions import ObjectAction, register_object_actions

    def actions(user, obj) -> list[ObjectAction]:
        if not can_build(user, obj):
            return []
        kind = obj._meta.model_name
        return [
            ObjectAction("一房一档", reverse("archives:dossier", args=[kind, obj.pk]), icon="file")
        ]

    register_object_actions(actions)
