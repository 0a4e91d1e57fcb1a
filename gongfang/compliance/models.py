"""Over-standard warnings (超标预警): a rule of DESIGN §4.4 broken, with its figures and clause.

A warning is written only by the engine (:mod:`.services`) and moved only by the life-cycle
services; no page or API creates or edits one directly. ``region`` and ``organization`` are
denormalized from the object the warning is about, so the scope filter is one lookup.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..framework import clock
from ..framework.models import PrimaryModel
from ..framework.scope import Scope


class Rule(models.TextChoices):
    R1 = "R1", "R1 办公室面积超标"
    R2 = "R2", "R2 多处占用办公室"
    R3 = "R3", "R3 退休调离未腾退"
    R4 = "R4", "R4 兼职结束未腾退"
    R5 = "R5", "R5 用房闲置"
    R6 = "R6", "R6 单位用房总面积超标"
    R7 = "R7", "R7 撤销单位仍占用房"
    R8 = "R8", "R8 出租出借或改变用途"
    R9 = "R9", "R9 数据质量"


class Subject(models.TextChoices):
    ROOM = "room", "房间"
    PERSON = "person", "人员"
    ORGANIZATION = "organization", "单位"
    BUILDING = "building", "楼座"


class State(models.TextChoices):
    OPEN = "open", "待整改"
    RECTIFYING = "rectifying", "整改中"
    RESOLVED = "resolved", "已解决"
    DEFERRED = "deferred", "暂不整改"
    FILED = "filed", "已备案"


# States in which a warning still asks for action (the dashboard's "open warnings").
ACTIVE_STATES = (State.OPEN, State.RECTIFYING)


class Mode(models.TextChoices):
    INSTANT_FILING = "instant_filing", "即时备案"
    ON_SITE = "on_site", "当场整改"
    DEADLINE = "deadline", "限期整改"


class Warning(PrimaryModel):
    rule = models.CharField("规则", max_length=4, choices=Rule.choices)
    # Rule + the objects of the finding ("R1:room:12"): a re-check updates, never duplicates.
    key = models.CharField("预警标识", max_length=100, unique=True)
    subject = models.CharField("对象类型", max_length=12, choices=Subject.choices)
    region = models.ForeignKey(
        "registry.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    # The organization the finding belongs to (scope): the room's user, the person's employer.
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="单位",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="warnings",
    )
    room = models.ForeignKey(
        "registry.Room",
        verbose_name="房间",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="warnings",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="人员",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="warnings",
    )
    building = models.ForeignKey(
        "registry.Building",
        verbose_name="楼座",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="warnings",
    )
    subject_label = models.CharField("对象", max_length=200)
    summary = models.CharField("情况", max_length=300)
    # actual, limit, excess, unit, and what each rule adds (per-occupant limits for R1 …).
    figures = models.JSONField("数据", default=dict, blank=True)
    # Over-standard area in m² (R1 and R2/R6 where an area is exceeded), for sums and sorting.
    excess_area = models.DecimalField(
        "超标面积", max_digits=12, decimal_places=2, null=True, blank=True
    )
    clause = models.TextField("依据条款", blank=True)
    # RuleSet.as_record(): the standard versions and parameters the finding was judged by.
    ruleset = models.JSONField("适用标准与参数", default=dict, blank=True)

    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.OPEN)
    mode = models.CharField("整改方式", max_length=16, choices=Mode.choices, blank=True)
    deadline = models.DateField("整改期限", null=True, blank=True)
    reason = models.TextField("理由", blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_found_at = models.DateTimeField("首次发现", default=timezone.now)
    last_checked_at = models.DateTimeField("最近核查", default=timezone.now)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    reopened_count = models.PositiveIntegerField("重新出现次数", default=0)

    scope = Scope(region="region", organization="organization")
    changelog_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at", "last_checked_at")

    class Meta:
        verbose_name = "超标预警"
        verbose_name_plural = "超标预警"
        ordering = ["-first_found_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "rule"]),
            models.Index(fields=["subject", "state"]),
            models.Index(fields=["deadline"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject_label}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def is_overdue(self) -> bool:
        """Under rectification with a deadline already passed."""
        return (
            self.state == State.RECTIFYING
            and self.deadline is not None
            and self.deadline < clock.today()
        )
