"""Documents on any object (一房一档): categories, and versioned files kept in private storage.

A ``Document`` belongs to one *subject* — any model registered with
:func:`gongfang.archives.subjects.register_subject` (a compound, a floor, a title, a case …) —
and is seen by whoever may see its subject (:meth:`DocumentQuerySet.restrict`). A new file of
the same paper supersedes the old one: both rows are kept, ``revision`` counts 1, 2, … along the
chain that ``first`` ties together, and only the newest has ``is_current``.

Files live under ``PRIVATE_MEDIA_ROOT`` under a random name (the original name is kept as data,
never used as a path) and are served only through the scoped view ``archives:document_file``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

from ..framework.models import PrimaryModel
from ..framework.querysets import RestrictedQuerySet


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files outside any URL: ``settings.PRIVATE_MEDIA_ROOT`` (``var/private`` unless the
    environment says otherwise), read at use so tests may point it elsewhere; ``url()`` refuses, so no template can leak a path."""

    def __init__(self) -> None:
        super().__init__()

    @cached_property
    def base_location(self) -> str:
        return str(private_media_root())

    @cached_property
    def location(self) -> str:
        return str(Path(self.base_location).resolve())

    def url(self, name: str | None) -> str:
        raise ValueError("档案文件不提供公开地址，请通过受控下载页面访问。")

    def _clear_cached_properties(self, setting, **kwargs) -> None:
        """Forget the location when settings change (``override_settings`` in tests)."""
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_media_root() -> Path:
    """Where private files are kept: a directory no URL serves."""
    return Path(settings.PRIVATE_MEDIA_ROOT)


private_storage = PrivateStorage()

# The stored name's extension, by the sniffed type (never the uploader's name).
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/tiff": ".tif",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/zip": ".zip",
    "text/plain": ".txt",
    "image/vnd.dxf": ".dxf",
    "application/x-step": ".ifc",
}


def document_path(instance: Document, filename: str) -> str:
    """A random stored name; ``filename`` (the uploader's) is deliberately ignored."""
    extension = EXTENSIONS.get(instance.content_type, ".bin")
    return f"documents/{timezone.now():%Y}/{secrets.token_hex(16)}{extension}"


class DocumentCategory(PrimaryModel):
    """A kind of paper (权属, 建设, 测绘, 平面图 …): data the bureau edits, seeded by 0002."""

    code = models.SlugField(
        "代码", max_length=30, unique=True, help_text="英文小写代码，如 floor_plan"
    )
    name = models.CharField("名称", max_length=30, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True, help_text="停用后不能再上传此类资料")

    # Categories are shared by every region: nothing to scope.
    scope = None

    class Meta:
        verbose_name = "档案类别"
        verbose_name_plural = "档案类别"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class DocumentQuerySet(RestrictedQuerySet):
    """Scope through the subject: see :mod:`gongfang.archives.subjects`."""

    def restrict(self, user, action: str = "view") -> DocumentQuerySet:
        from .subjects import document_scope_q

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.has_model_perm(self.model, action):
            return self.none()
        return self.filter(document_scope_q(user, action))

    def current(self) -> DocumentQuerySet:
        return self.filter(is_current=True)

    def of(self, subject: models.Model) -> DocumentQuerySet:
        """Documents (every version) of one subject."""
        return self.filter(
            subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
            subject_id=subject.pk,
        )


class Document(PrimaryModel):
    """One version of one paper about one subject."""

    subject_type = models.ForeignKey(
        ContentType,
        verbose_name="对象类型",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    subject_id = models.PositiveBigIntegerField("对象编号", editable=False)
    subject = GenericForeignKey("subject_type", "subject_id")
    category = models.ForeignKey(
        DocumentCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField("标题", max_length=200)
    file = models.FileField(
        "文件", storage=private_storage, upload_to=document_path, max_length=200, editable=False
    )
    original_name = models.CharField("原文件名", max_length=255, editable=False)
    content_type = models.CharField("文件类型", max_length=100, editable=False)
    size = models.PositiveBigIntegerField("大小（字节）", editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False, db_index=True)
    issued_on = models.DateField("成文日期", null=True, blank=True)
    source = models.CharField(
        "来源", max_length=200, blank=True, help_text="如发文机关、测绘单位、扫描自原件"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now, editable=False)
    # ``version`` (from PrimaryModel) is the row's edit counter; ``revision`` is the paper's.
    revision = models.PositiveIntegerField("版次", default=1, editable=False)
    first = models.ForeignKey(
        "self",
        verbose_name="初版",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="later_revisions",
        editable=False,
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name="替代",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded_by",
        editable=False,
    )
    is_current = models.BooleanField("现行版本", default=True, editable=False)
    text = models.TextField("提取文本", blank=True, editable=False)
    # The subject's region, kept by the service: bureau scope and reports filter by it.
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = DocumentQuerySet.as_manager()
    # Scope is decided by DocumentQuerySet.restrict (the subject's rule).
    scope = None
    changelog_exclude = ("created_at", "updated_at", "text", "file")

    class Meta:
        verbose_name = "档案资料"
        verbose_name_plural = "档案资料"
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "is_current"]),
            models.Index(fields=["region", "is_current"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["first", "revision"],
                name="document_unique_revision",
                violation_error_message="该资料已有此版次。",
            ),
            models.CheckConstraint(
                condition=Q(revision=1, first__isnull=True)
                | Q(revision__gt=1, first__isnull=False),
                name="document_first_iff_later_revision",
                violation_error_message="版次与初版不一致。",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.original_name

    @property
    def series_root_id(self) -> int:
        """The pk of the first version: what every version of this paper shares."""
        return self.first_id or self.pk

    @property
    def is_inline(self) -> bool:
        """Whether a browser should show the file rather than save it."""
        return self.content_type == "application/pdf" or (
            self.content_type.startswith("image/") and self.content_type != "image/vnd.dxf"
        )
