"""The schedule of the periodic jobs, as data: one row per job an app registered
(``framework.jobs``), with its interval or time of day, whether it runs, and how its runs went.

The system administrator edits ``enabled`` and the schedule (a change-logged write through
:class:`~.services.ScheduledJobService`); the scheduler and the worker write the run fields
(``next_run_at``, ``last_*``) with conditional updates, which are bookkeeping and stay out of the
change log.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.urls import reverse

from ..framework.jobs import registered_job
from ..framework.models import PrimaryModel


class Kind(models.TextChoices):
    DAILY = "daily", "每天定时"
    INTERVAL = "interval", "按间隔"


class RunResult(models.TextChoices):
    QUEUED = "queued", "已排队"
    RUNNING = "running", "运行中"
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"


class ScheduledJob(PrimaryModel):
    key = models.CharField("任务标识", max_length=60, unique=True, editable=False)
    name = models.CharField("任务名称", max_length=100, editable=False)
    description = models.TextField("说明", blank=True, editable=False)
    kind = models.CharField("运行方式", max_length=10, choices=Kind.choices)
    time_of_day = models.TimeField(
        "每天运行时间",
        null=True,
        blank=True,
        help_text="北京时间，如 03:30；运行方式为每天定时时填写",
    )
    interval_minutes = models.PositiveIntegerField(
        "运行间隔（分钟）", null=True, blank=True, help_text="运行方式为按间隔时填写，至少 1 分钟"
    )
    enabled = models.BooleanField("启用", default=True)
    next_run_at = models.DateTimeField("下次运行", null=True, blank=True, editable=False)
    last_run_at = models.DateTimeField("上次运行", null=True, blank=True, editable=False)
    last_result = models.CharField(
        "上次结果", max_length=10, choices=RunResult.choices, blank=True, editable=False
    )
    last_duration = models.FloatField("上次用时（秒）", null=True, blank=True, editable=False)
    last_message = models.TextField("上次运行情况", blank=True, editable=False)

    scope = None
    changelog_exclude: ClassVar[tuple[str, ...]] = (
        "created_at",
        "updated_at",
        "next_run_at",
        "last_run_at",
        "last_result",
        "last_duration",
        "last_message",
    )

    class Meta:
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("scheduler:scheduledjob", args=[self.pk])

    @property
    def is_registered(self) -> bool:
        """Whether an installed app still provides the job (a removed module leaves its row)."""
        return registered_job(self.key) is not None

    @property
    def schedule_label(self) -> str:
        if self.kind == Kind.DAILY and self.time_of_day is not None:
            return f"每天 {self.time_of_day:%H:%M}"
        if self.kind == Kind.INTERVAL and self.interval_minutes:
            minutes = self.interval_minutes
            if minutes % 60 == 0:
                return f"每 {minutes // 60} 小时"
            return f"每 {minutes} 分钟"
        return "—"
