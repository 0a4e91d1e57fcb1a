"""Documents on findings and referrals (evidence, photos, referral packages), kept in archives.

The unit's evidence goes through ``archives.services.add_document`` like any upload (the unit may
write documents on its own findings). A supervisor reads the archives only, yet on site he files
photos of what he finds and he generates referral packages: those files are filed for him by
``archives.services.add_generated_document`` once the inspections' service has checked his right
(``authorized=True``), with the same checks of the content (size, sniffed type) and the subject's
scope.
"""

from __future__ import annotations

from typing import IO

from django.db import models

CATEGORY_EVIDENCE = "inspection"  # 督查
CATEGORY_PHOTO = "photo"  # 照片
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def file_document(
    *,
    user,
    subject: models.Model,
    category: str,
    file: IO[bytes] | bytes,
    title: str = "",
    name: str = "",
    authorized: bool = False,
):
    """File ``file`` on ``subject``; ``authorized``: the caller's service has already decided
    that ``user`` may (a supervisor's photo or package). ``name``: the file name of raw bytes."""
    from ..archives import services as archives
    from ..archives.subjects import can_write_subject

    if not authorized or can_write_subject(user, subject, "add"):
        return archives.add_document(
            user=user, subject=subject, category=category, file=_named(file, name), title=title
        )
    return archives.add_generated_document(
        user=user, subject=subject, category=category, file=_named(file, name), title=title
    )


def _named(file: IO[bytes] | bytes, name: str):
    """Raw bytes as a named file (the archives keep the original name)."""
    if isinstance(file, bytes) and name:
        from django.core.files.base import ContentFile

        return ContentFile(file, name=name)
    return file


def documents_of(user, subject: models.Model) -> models.QuerySet:
    """The current documents of ``subject`` the account may read, oldest first."""
    from ..archives.models import Document

    return (
        Document.objects.restrict(user, "view")
        .current()
        .of(subject)
        .select_related("category", "uploaded_by")
        .order_by("uploaded_at", "pk")
    )


def all_documents_of(subject: models.Model) -> models.QuerySet:
    """Every current document of ``subject`` (a package is built by a service that has already
    checked the reader's scope over the subject)."""
    from ..archives.models import Document

    return (
        Document.objects.current()
        .of(subject)
        .select_related("category", "uploaded_by")
        .order_by("uploaded_at", "pk")
    )
