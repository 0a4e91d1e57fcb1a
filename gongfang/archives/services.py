"""Writes of documents: upload (a first version or a new one), edit of the particulars, withdraw.

Uploads are checked before anything is written: the writer's right on the subject
(:mod:`gongfang.archives.subjects`), the size (``ARCHIVES_MAX_UPLOAD_BYTES``, 50 MB by default)
and the type *sniffed from the content* — the name's extension is never trusted, and the
uploader's name is kept only as data (the file is stored under a random name in private
storage). A file written to storage inside a transaction that then fails is removed again.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from typing import IO

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import F, ProtectedError, RestrictedError

from ..framework.changelog import record_change, serialize_object
from ..framework.models import ObjectChange
from ..framework.services import ObjectService, protected_message, register
from ..framework.signals import object_written
from ..framework.versions import check_version
from .extract import extract_text
from .models import Document, DocumentCategory
from .search import index_document
from .subjects import can_see_subject, can_write_subject, subject_region, subject_spec

DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024

# What may be uploaded, by the type the content shows: label for messages.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "image/png": "PNG 图片",
    "image/jpeg": "JPEG 图片",
    "image/gif": "GIF 图片",
    "image/webp": "WebP 图片",
    "image/tiff": "TIFF 图片",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
    "application/msword": "Word 97-2003 文档",
    "application/vnd.ms-excel": "Excel 97-2003 表格",
    "application/zip": "ZIP 压缩包",
    "text/plain": "文本文件",
    "image/vnd.dxf": "DXF 图纸",
    "application/x-step": "IFC 模型",
}
ALLOWED_LABELS = "PDF、图片（PNG/JPEG/GIF/WebP/TIFF）、Word、Excel、ZIP、DXF、IFC 或文本文件"
# Bytes looked at to tell text from binary.
TEXT_PROBE = 64 * 1024
NAME_MAX = 255


def max_upload_bytes() -> int:
    return int(getattr(settings, "ARCHIVES_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _text_type(data: bytes) -> str | None:
    """``text/plain`` (or DXF / IFC, which are text) when ``data`` reads as UTF-8 or GB18030
    text without NUL bytes; None for anything binary."""
    probe = data[:TEXT_PROBE]
    if b"\x00" in probe:
        return None
    text = None
    for encoding in ("utf-8", "gb18030"):
        try:
            # The probe may cut a character in two: ignore a broken tail only.
            text = (
                probe.decode(encoding) if len(data) <= TEXT_PROBE else probe[:-4].decode(encoding)
            )
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        return None
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f" for c in text[:4096]):
        return None
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("ISO-10303-21;"):
        return "application/x-step"
    lines = [line.strip() for line in head.splitlines()[:2]]
    if lines == ["0", "SECTION"]:
        return "image/vnd.dxf"
    return "text/plain"


def sniff_type(data: bytes) -> str | None:
    """The content's type as its bytes show it (``filetype`` magic, then text), or None."""
    if not data:
        return None
    kind = filetype.guess(data)
    if kind is not None:
        return kind.mime
    return _text_type(data)


def clean_original_name(name: str) -> str:
    """The uploader's file name as data: the last path component only, no control characters,
    at most 255 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if not name:
        return "未命名文件"
    if len(name) > NAME_MAX:
        _stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        name = name[: NAME_MAX - len(keep) - 1] + ("." + keep if keep else "")
    return name


def read_upload(file: IO[bytes] | bytes) -> tuple[bytes, str]:
    """The bytes and the original name of an upload (a Django ``File`` or raw bytes), refusing
    one over the size limit before reading it all."""
    limit = max_upload_bytes()
    if isinstance(file, bytes):
        data, name = file, ""
    else:
        size = getattr(file, "size", None)
        if size is not None and size > limit:
            raise ValidationError({"file": _too_large(size, limit)})
        if hasattr(file, "seek"):
            file.seek(0)
        data = b"".join(file.chunks()) if hasattr(file, "chunks") else file.read(limit + 1)
        name = getattr(file, "name", "") or ""
    if len(data) > limit:
        raise ValidationError({"file": _too_large(len(data), limit)})
    if not data:
        raise ValidationError({"file": "文件：上传的文件是空的。"})
    return data, clean_original_name(name)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _too_large(size: int, limit: int) -> str:
    return f"文件：大小 {_megabytes(size)}，超过上限 {_megabytes(limit)}。"


def check_content(data: bytes) -> str:
    """The sniffed type of an allowed file; a Chinese error naming the field otherwise."""
    content_type = sniff_type(data)
    if content_type not in ALLOWED_TYPES:
        found = f"（识别为 {content_type}）" if content_type else ""
        raise ValidationError(
            {"file": f"文件：内容不是允许的类型{found}；只接受 {ALLOWED_LABELS}。"}
        )
    return content_type


def _category(category: str | DocumentCategory) -> DocumentCategory:
    code = category.code if isinstance(category, DocumentCategory) else category
    found = DocumentCategory.objects.filter(code=code, active=True).first()
    if found is None:
        raise ValidationError({"category": "类别：请选择一个启用中的档案类别。"})
    return found


def add_document(
    *,
    user,
    subject: models.Model,
    category: str | DocumentCategory,
    file: IO[bytes] | bytes,
    title: str = "",
    issued_on: datetime.date | None = None,
    source: str = "",
    supersedes: Document | None = None,
) -> Document:
    """File ``file`` on ``subject`` (a new paper, or a new version of ``supersedes``).

    The new version becomes current; the old one stays, no longer current. Raises
    ``PermissionDenied`` when ``user`` may not write documents on ``subject`` and
    ``ValidationError`` (Chinese, by field) for a bad file, category or particulars.
    """
    if subject_spec(subject) is None or subject.pk is None:
        raise ValidationError("该对象不能附加档案资料。")
    if not can_write_subject(user, subject, "add"):
        if can_see_subject(user, subject):
            raise PermissionDenied(f"您没有为“{subject}”上传档案资料的权限。")
        raise PermissionDenied("该对象不存在或超出您的管辖范围。")
    return _file(
        user=user,
        subject=subject,
        category=category,
        file=file,
        title=title,
        issued_on=issued_on,
        source=source,
        supersedes=supersedes,
    )


def add_generated_document(
    *,
    user,
    subject: models.Model,
    category: str | DocumentCategory,
    file: IO[bytes] | bytes,
    title: str = "",
    source: str = "",
) -> Document:
    """File a paper the calling service has already authorized ``user`` to file — a referral
    package, a supervisor's photo taken on site — whatever his right on documents in general;
    the subject must still be in his scope and the file passes the same checks."""
    if subject_spec(subject) is None or subject.pk is None:
        raise ValidationError("该对象不能附加档案资料。")
    if not can_see_subject(user, subject):
        raise PermissionDenied("该对象不存在或超出您的管辖范围。")
    return _file(
        user=user, subject=subject, category=category, file=file, title=title, source=source
    )


def _file(
    *,
    user,
    subject: models.Model,
    category: str | DocumentCategory,
    file: IO[bytes] | bytes,
    title: str,
    source: str,
    issued_on: datetime.date | None = None,
    supersedes: Document | None = None,
) -> Document:
    """Check the file, store it and write the document in one transaction (the stored file is
    removed again if anything fails)."""
    category_obj = _category(category)
    data, original_name = read_upload(file)
    content_type = check_content(data)
    stored: list[str] = []
    try:
        with transaction.atomic():
            return _create(
                user=user,
                subject=subject,
                category=category_obj,
                data=data,
                original_name=original_name,
                content_type=content_type,
                title=title,
                issued_on=issued_on,
                source=source,
                supersedes=supersedes,
                stored=stored,
            )
    except BaseException:
        for name in stored:
            Document._meta.get_field("file").storage.delete(name)
        raise


def _create(
    *,
    user,
    subject: models.Model,
    category: DocumentCategory,
    data: bytes,
    original_name: str,
    content_type: str,
    title: str,
    issued_on: datetime.date | None,
    source: str,
    supersedes: Document | None,
    stored: list[str],
) -> Document:
    previous = None
    if supersedes is not None:
        previous = Document.objects.select_for_update().filter(pk=supersedes.pk).first()
        if previous is None or not previous.is_current:
            raise ValidationError("所替换的资料已有更新的版本或已被撤回，请刷新后重试。")
        subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
        if (previous.subject_type_id, previous.subject_id) != (subject_type.pk, subject.pk):
            raise ValidationError("所替换的资料不属于该对象。")
    title = (title or "").strip() or (
        previous.title if previous else original_name.rsplit(".", 1)[0]
    )
    document = Document(
        subject=subject,
        category=category,
        title=title[:200],
        original_name=original_name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        issued_on=issued_on,
        source=(source or "").strip(),
        uploaded_by=user,
        region=subject_region(subject),
        revision=previous.revision + 1 if previous else 1,
        first_id=previous.series_root_id if previous else None,
        supersedes=previous,
        text=extract_text(data, content_type),
    )
    document.full_clean(exclude=["file"])
    if previous is not None:
        Document.objects.filter(pk=previous.pk).update(is_current=False, version=F("version") + 1)
    document.file.save("upload", ContentFile(data), save=False)
    stored.append(document.file.name)
    document.save()
    record_change(actor=user, instance=document, action=ObjectChange.Action.CREATE, before=None)
    # The new version enters the full-text index; the one it supersedes leaves it.
    index_document(document)
    return document


def subject_of(document: Document) -> models.Model | None:
    """The document's subject (None when it was deleted)."""
    model = document.subject_type.model_class()
    if model is None:
        return None
    return model._base_manager.filter(pk=document.subject_id).first()


@register
class DocumentCategoryService(ObjectService):
    model = DocumentCategory


@register
class DocumentService(ObjectService):
    """Edits of a document's particulars (title, category, date, source) and withdrawal of its
    current version. Files and subjects never change: a new file is a new version
    (:func:`add_document`)."""

    model = Document

    def create(self, *, actor, data):
        raise ValidationError("请通过上传文件新建档案资料。")

    def validate(self, *, actor, instance: Document, before: dict | None) -> None:
        changed = before is None or before.get("category") != instance.category_id
        if changed and not instance.category.active:
            raise ValidationError({"category": "类别：请选择一个启用中的档案类别。"})

    def after_save(self, *, actor, instance: Document, before: dict | None) -> list[str]:
        """The title is indexed: an edited one is found by its new words."""
        index_document(instance)
        return []

    def delete(self, *, actor, instance: Document, expected_version: int | None = None) -> None:
        """Withdraw ``instance``: only the current version, whose predecessor (if any) becomes
        current again; the stored file is removed once the deletion commits."""
        self._require_perm(actor, "delete")
        with transaction.atomic():
            current = self._lock(instance)
            self._require_in_scope(actor, current, "delete")
            check_version(current, expected_version)
            if not current.is_current:
                raise ValidationError("只能撤回现行版本；历史版本予以保留。")
            before = serialize_object(current)
            pk, name, previous_id = current.pk, current.file.name, current.supersedes_id
            label = str(current)
            try:
                current.delete()
            except (ProtectedError, RestrictedError) as exc:  # e.g. a referral's package
                raise ValidationError(protected_message(label, exc)) from None
            if previous_id is not None:
                Document.objects.filter(pk=previous_id).update(
                    is_current=True, version=F("version") + 1
                )
                # The version current again is found again (the deleted one left the index
                # with its row).
                index_document(Document.objects.get(pk=previous_id))
            current.pk = pk
            record_change(
                actor=actor, instance=current, action=ObjectChange.Action.DELETE, before=before
            )
            object_written.send(
                sender=Document,
                instance=current,
                before=before,
                after=None,
                actor=actor,
                action=ObjectChange.Action.DELETE,
            )
            # A file shared by other documents (the demo's reused papers) stays.
            if not Document.objects.filter(file=name).exists():
                storage = Document._meta.get_field("file").storage
                transaction.on_commit(lambda: storage.delete(name))
        instance.pk = None
