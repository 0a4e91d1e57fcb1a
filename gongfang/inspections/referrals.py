"""The referral package (移交纪检监察材料): a Chinese PDF and a zip of it with the evidence.

The PDF lists the referred findings with their source (inspection or tip), checklist item,
object, linked warning, rectification, re-checks and urges; the evidence of each (title, file
name, size, SHA-256 so the zip's files can be matched) with its photos embedded; and for each
object the excerpt of its history from the change log (who changed what, when). The zip holds
the PDF and every evidence file under ``证据/问题N/``. Both are kept as archives documents of the
referral (category 督查): what was handed over stays as it was handed over.
"""

from __future__ import annotations

import base64
import io
import zipfile
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from ..framework.changelog import event_label
from ..framework.models import ObjectChange
from ..framework.pdf import render_pdf
from ..framework.selectors import changes_for
from .documents import CATEGORY_EVIDENCE, IMAGE_TYPES, all_documents_of, file_document
from .findings import subject_of
from .models import Finding, Referral

# How many change-log entries of each object the package quotes.
HISTORY_LIMIT = 15
# Photos are embedded at most this wide/high (pixels): the PDF stays small.
PHOTO_BOX = (900, 900)


@dataclass
class FindingSection:
    number: int
    finding: Finding
    subject: models.Model | None
    documents: list = field(default_factory=list)
    photos: list[tuple[str, str]] = field(default_factory=list)  # (title, data URI)
    history: list[dict] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)


def photo_data_uri(document) -> str | None:
    """The image scaled down as an inline JPEG (the PDF fetches nothing)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with document.file.open("rb") as handle, Image.open(handle) as image:
            image = image.convert("RGB")
            image.thumbnail(PHOTO_BOX)
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=72)
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


# Bookkeeping fields the history leaves out.
SKIPPED_FIELDS = frozenset({"id", "version", "created_at", "updated_at"})


def _labels(change: ObjectChange) -> dict[str, str]:
    model = change.changed_object_type.model_class() if change.changed_object_type_id else None
    if model is None:
        return {}
    return {f.name: str(f.verbose_name) for f in model._meta.fields}


def _entries(changes) -> list[dict]:
    """Change-log rows as a reader reads them: when, who, what, and for an update each changed
    field by its Chinese name (before → after)."""
    rows = []
    for change in changes:
        detail = ""
        if change.action == ObjectChange.Action.EVENT:
            what = event_label(change.event)
        else:
            what = change.get_action_display()
            if change.action == ObjectChange.Action.UPDATE:
                labels = _labels(change)
                detail = "；".join(
                    f"{labels.get(name, name)}：{_short(before)} → {_short(after)}"
                    for name, before, after in change.diff
                    if name not in SKIPPED_FIELDS
                )
        rows.append(
            {
                "time": timezone.localtime(change.time),
                "user": change.user_name,
                "what": what,
                "detail": detail,
            }
        )
    return rows


def _short(value) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def sections(findings: list[Finding]) -> list[FindingSection]:
    result = []
    for number, finding in enumerate(findings, start=1):
        subject = subject_of(finding)
        documents = list(all_documents_of(finding))
        section = FindingSection(number=number, finding=finding, subject=subject)
        section.documents = documents
        for document in documents:
            if document.content_type in IMAGE_TYPES:
                uri = photo_data_uri(document)
                if uri:
                    section.photos.append((str(document), uri))
        if subject is not None:
            section.history = _entries(
                changes_for(subject).select_related("changed_object_type")[:HISTORY_LIMIT]
            )
        section.log = _entries(
            changes_for(finding).select_related("changed_object_type")[:HISTORY_LIMIT]
        )
        result.append(section)
    return result


def referral_findings(referral: Referral) -> list[Finding]:
    return list(
        referral.findings.select_related(
            "organization",
            "item",
            "inspection__plan",
            "tip",
            "warning",
            "created_by",
        )
        .prefetch_related("rectifications", "rechecks", "urges")
        .order_by("pk")
    )


def render_package_pdf(referral: Referral, parts: list[FindingSection]) -> bytes:
    return render_pdf(
        "inspections/referral_pdf.html",
        {"referral": referral, "sections": parts, "generated_at": timezone.localtime()},
    )


def package_zip(pdf: bytes, pdf_name: str, parts: list[FindingSection]) -> bytes:
    """The PDF and every evidence file, under 证据/问题N/ (names made unique)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(pdf_name, pdf)
        for part in parts:
            used: set[str] = set()
            for document in part.documents:
                name = document.original_name or f"{document.pk}"
                stem, dot, ext = name.rpartition(".")
                candidate, n = name, 1
                while candidate in used:
                    n += 1
                    candidate = f"{stem}（{n}）.{ext}" if dot else f"{name}（{n}）"
                used.add(candidate)
                with document.file.open("rb") as handle:
                    archive.writestr(f"证据/问题{part.number}/{candidate}", handle.read())
    return out.getvalue()


def package_name(referral: Referral) -> str:
    return f"移交纪检监察材料-{referral.organization.name}-{referral.referred_on:%Y%m%d}"


def build_package(*, user, referral: Referral) -> tuple:
    """Render the PDF and the zip and file both on the referral; returns (pdf, zip) documents.
    Called by ``findings.refer`` inside its transaction (its checks done)."""
    findings = referral_findings(referral)
    parts = sections(findings)
    pdf = render_package_pdf(referral, parts)
    name = package_name(referral)
    pdf_document = file_document(
        user=user,
        subject=referral,
        category=CATEGORY_EVIDENCE,
        file=pdf,
        name=f"{name}.pdf",
        title=f"{name}（PDF）",
        authorized=True,
    )
    zip_document = file_document(
        user=user,
        subject=referral,
        category=CATEGORY_EVIDENCE,
        file=package_zip(pdf, f"{name}.pdf", parts),
        name=f"{name}.zip",
        title=f"{name}（含证据）",
        authorized=True,
    )
    return pdf_document, zip_document


def package_documents(user, referral: Referral) -> dict:
    """The referral's package as filed: {"pdf": Document | None, "zip": Document | None}."""
    from .documents import documents_of

    documents = list(documents_of(user, referral))
    return {
        "zip": next((d for d in documents if d.pk == referral.package_id), None),
        "pdf": next((d for d in documents if d.content_type == "application/pdf"), None),
    }
