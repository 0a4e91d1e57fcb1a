"""Import batches: one uploaded ledger file, its preview, its commit and its undo."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .choices import Mode


class ImportBatchQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> ImportBatchQuerySet:
        """An account sees and acts on the batches it uploaded."""
        if user is None or not user.is_authenticated or not user.has_model_perm(self.model, action):
            return self.none()
        return self.filter(user=user)


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        PREVIEWING = "previewing", "正在检查"
        PREVIEWED = "previewed", "检查通过，待确认"
        INVALID = "invalid", "有错误，未导入"
        COMMITTING = "committing", "正在导入"
        COMMITTED = "committed", "已导入"
        FAILED = "failed", "处理失败"
        REVERTED = "reverted", "已撤销"
        DISCARDED = "discarded", "已放弃"

    class Stage(models.TextChoices):
        PREVIEW = "preview", "检查"
        COMMIT = "commit", "导入"

    # Also the request id of every change-log row the commit writes: the batch's changes are
    # found by it, to show and to revert.
    uuid = models.UUIDField("批次号", default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        on_delete=models.SET_NULL,
        null=True,
        related_name="import_batches",
    )
    user_name = models.CharField("导入人账号", max_length=150)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    file = models.FileField("文件", upload_to="ledger-imports/%Y/%m/")
    filename = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("文件大小（字节）", default=0)
    sheet = models.CharField(
        "CSV 对应工作表",
        max_length=30,
        blank=True,
        help_text="CSV 文件只有一张表，须指明是哪一类台账",
    )
    mode = models.CharField("导入方式", max_length=10, choices=Mode.choices, default=Mode.UPSERT)
    row_count = models.PositiveIntegerField("数据行数", default=0)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.QUEUED)
    background = models.BooleanField("后台处理", default=False)
    task_id = models.CharField("任务号", max_length=64, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    message = models.TextField("说明", blank=True)
    previewed_at = models.DateTimeField("检查时间", null=True, blank=True)
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)
    reverted_at = models.DateTimeField("撤销时间", null=True, blank=True)
    # The lease of the process running a stage: it renews ``lease_expires_at`` while it works;
    # a batch whose lease ran out (or whose process is gone) is reclaimed as failed.
    stage = models.CharField("处理阶段", max_length=10, choices=Stage.choices, blank=True)
    worker = models.CharField("处理进程", max_length=200, blank=True)
    heartbeat_at = models.DateTimeField("最后心跳", null=True, blank=True)
    lease_expires_at = models.DateTimeField("租约到期", null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename}（{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}）"

    def get_absolute_url(self) -> str:
        return reverse("ledger:batch", args=[self.pk])

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.PREVIEWING, self.Status.COMMITTING)

    def total(self, name: str) -> int:
        return sum(c.get(name, 0) for c in (self.result.get("counts") or {}).values())

    @property
    def created_count(self) -> int:
        return self.total("created")

    @property
    def updated_count(self) -> int:
        return self.total("updated")

    @property
    def unchanged_count(self) -> int:
        return self.total("unchanged")

    @property
    def skipped_count(self) -> int:
        return self.total("skipped")

    @property
    def failed_count(self) -> int:
        return self.total("failed")
