"""Documents on findings and referrals (evidence, photos, referral packages), kept in archives.

The unit's evidence goes through ``archives.services.add_document`` like any upload (the unit may
write documents on its own findings). A supervisor reads the archives only, yet on site he files
photos of what he finds and he generates referral packages: those files are filed for him once the
inspections' service has checked his right (``authorized=True``), with the same checks of the
content (size, sniffed type) and the subject's scope.
"""

from __future__ import annotations

from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

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
    from ..archives.subjects import can_see_subject, can_write_subject

    if not authorized or can_write_subject(user, subject, "add"):
        return archives.add_document(
            user=user, subject=subject, category=category, file=_named(file, name), title=title
        )
    if not can_see_subject(user, subject):
        raise PermissionDenied("该对象不存在或超出您的管辖范围。")
    category_obj = archives._category(category)
    data, original_name = archives.read_upload(_named(file, name))
    content_type = archives.check_content(data)
    stored: list[str] = []
    try:
        with transaction.atomic():
            return archives._create(
                user=user,
                subject=subject,
                category=category_obj,
                data=data,
                original_name=original_name,
                content_type=content_type,
                title=title,
                issued_on=None,
                source="",
                supersedes=None,
                stored=stored,
            )
    except BaseException:
        from ..archives.models import Document

        for stored_name in stored:
            Document._meta.get_field("file").storage.delete(stored_name)
        raise


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
