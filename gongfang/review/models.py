"""Data review (数据会审): a review over a scope, its required fields, cross-review pairs and findings.

Seed 000: two months of review against the province's acceptance rules (应填尽填), cross review
between units (交叉互审), 217 problems fed back in writing and all rectified. A review's findings
come from rule checks (:mod:`.checks`) or from reviewers; each goes to the responsible unit, is
rectified, re-checked by a reviewer and closed or sent back (:mod:`.services`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from ..framework.models import PrimaryModel, dates_ordered_constraint
from ..framework.scope import Scope


class Subject(models.TextChoices):
    """Registry models a required field or a finding may be about."""

    ORGANIZATION = "organization", "单位"
    COMPOUND = "compound", "院落"
    BUILDING = "building", "楼座"
    ROOM = "room", "房间"
    PERSON = "person", "人员"


def _subject_field(subject: str, name: str) -> models.Field | None:
    from ..registry.models import Building, Compound, Organization, Person, Room

    model = {
        Subject.ORGANIZATION: Organization,
        Subject.COMPOUND: Compound,
        Subject.BUILDING: Building,
        Subject.ROOM: Room,
        Subject.PERSON: Person,
    }.get(subject)
    try:
        return model._meta.get_field(name) if model is not None else None
    except Exception:
        return None


def field_name(subject: str, name: str) -> str:
    """A registry field's Chinese name, or the name itself when it is not one."""
    field = _subject_field(subject, name)
    return str(field.verbose_name) if field is not None else name


def condition_text(subject: str, lookup: str, value) -> str:
    """One field lookup of a condition in words (``category__in: [...]`` → 用房类别：办公室、…)."""
    name, _, op = lookup.partition("__")
    field = _subject_field(subject, name)
    if field is None or op not in ("", "in"):
        return f"{lookup} = {value}"
    labels = dict(field.flatchoices) if field.choices else {True: "是", False: "否"}
    values = value if isinstance(value, list) else [value]
    return f"{field.verbose_name}：" + "、".join(str(labels.get(v, v)) for v in values)


class RequiredField(PrimaryModel):
    """One field that must be filled (应填尽填) on the rows of a registry model that meet
    ``condition`` (field lookups, ``{"status__in": ["lent"]}``; empty: every row). Versioned rows
    with their source: a newer acceptance rule adds rows of its version, older ones are ended."""

    model = models.CharField("对象类型", max_length=16, choices=Subject.choices)
    field = models.CharField("字段", max_length=60)
    label = models.CharField("字段名称", max_length=60)
    condition = models.JSONField("适用条件", default=dict, blank=True)
    condition_label = models.CharField("适用条件说明", max_length=100, blank=True)
    version = models.CharField("版本", max_length=40)
    source = models.CharField("依据", max_length=200)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)

    scope = None  # rule data, like the standards: every account reads it

    class Meta:
        verbose_name = "应填字段"
        verbose_name_plural = "应填字段"
        ordering = ["model", "field", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "field", "version"],
                name="review_required_field_once_per_version",
                violation_error_message="同一版本中该字段已列为应填字段。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_model_display()} {self.label}"

    def display_field(self) -> str:
        """The required field by its Chinese name (``usable_area`` → 使用面积)."""
        return field_name(self.model, self.field)

    def display_condition(self) -> str:
        """The condition in words: "用房类别：办公室、服务用房"; 全部记录 when empty."""
        if not self.condition:
            return "全部记录"
        return "；".join(
            condition_text(self.model, lookup, value) for lookup, value in self.condition.items()
        )


class ReviewState(models.TextChoices):
    OPEN = "open", "会审中"
    CLOSED = "closed", "已结束"


class Review(PrimaryModel):
    """A review of the data of a region subtree (all its organizations, or those chosen)."""

    name = models.CharField("会审名称", max_length=100)
    region = models.ForeignKey(
        "registry.Region", verbose_name="会审区划", on_delete=models.PROTECT, related_name="+"
    )
    organizations = models.ManyToManyField(
        "registry.Organization",
        verbose_name="会审单位",
        blank=True,
        related_name="+",
        help_text="不选则为区划内全部单位。",
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="会审人员", blank=True, related_name="+"
    )
    state = models.CharField(
        "状态", max_length=8, choices=ReviewState.choices, default=ReviewState.OPEN, editable=False
    )
    note = models.TextField("说明", blank=True)

    # Units read the reviews that name them, found problems in their data, or in which they
    # cross-review another unit.
    scope = Scope(
        region="region",
        organization=None,
        organization_read=(
            "organizations",
            "findings__organization",
            "assignments__reviewer_organization",
            "assignments__reviewed_organization",
        ),
    )

    class Meta:
        verbose_name = "数据会审"
        verbose_name_plural = "数据会审"
        ordering = ["-starts_on", "-pk"]
        constraints = [dates_ordered_constraint("starts_on", "ends_on", "review_period_ordered")]

    def __str__(self) -> str:
        return self.name


class Assignment(PrimaryModel):
    """Cross review (交叉互审): unit A's data reviewed by unit B's reviewer."""

    review = models.ForeignKey(
        Review, verbose_name="数据会审", on_delete=models.CASCADE, related_name="assignments"
    )
    reviewed_organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="被审单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewer_organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="审核单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    scope = Scope(
        region="review__region",
        organization=None,
        organization_read=("reviewer_organization", "reviewed_organization"),
    )

    class Meta:
        verbose_name = "交叉互审"
        verbose_name_plural = "交叉互审"
        ordering = ["review", "reviewed_organization__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reviewed_organization", "reviewer_organization"],
                name="review_assignment_once",
                violation_error_message="该交叉互审已安排。",
            ),
            models.CheckConstraint(
                condition=~Q(reviewed_organization=models.F("reviewer_organization")),
                name="review_assignment_not_self",
                violation_error_message="交叉互审不能由被审单位自己审核。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_organization} 审 {self.reviewed_organization}"


class Source(models.TextChoices):
    REQUIRED = "required", "应填未填"
    R9 = "r9", "R9 数据质量"
    SURVEY = "survey", "测绘面积不符"
    PLAUSIBILITY = "plausibility", "面积不合理"
    MANUAL = "manual", "人工发现"


AUTOMATIC_SOURCES = (Source.REQUIRED, Source.R9, Source.SURVEY, Source.PLAUSIBILITY)


class Severity(models.TextChoices):
    MAJOR = "major", "严重"
    MINOR = "minor", "一般"


class FindingState(models.TextChoices):
    OPEN = "open", "待整改"
    RECTIFIED = "rectified", "已整改待复核"
    RETURNED = "returned", "复核退回"
    CLOSED = "closed", "已销号"


UNRECTIFIED = (FindingState.OPEN, FindingState.RETURNED)


class Finding(PrimaryModel):
    """One problem in the data of a responsible unit, found by a check or by a reviewer."""

    review = models.ForeignKey(
        Review, verbose_name="数据会审", on_delete=models.CASCADE, related_name="findings"
    )
    assignment = models.ForeignKey(
        Assignment,
        verbose_name="交叉互审",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        related_name="review_findings",
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField("对象类型", max_length=16, choices=Subject.choices)
    subject_type = models.ForeignKey(
        ContentType, verbose_name="对象模型", on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField("对象编号")
    subject_label = models.CharField("对象", max_length=200)
    field = models.CharField("字段", max_length=60, blank=True)
    field_label = models.CharField("字段名称", max_length=60, blank=True)
    problem = models.TextField("问题")
    severity = models.CharField(
        "严重程度", max_length=8, choices=Severity.choices, default=Severity.MINOR
    )
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    # What the automatic check calls the problem ("required:room:12:usable_area"): a re-run
    # updates the finding instead of adding another; empty for a reviewer's finding.
    check_key = models.CharField("核查标识", max_length=120, blank=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发现人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        "状态", max_length=10, choices=FindingState.choices, default=FindingState.OPEN
    )
    rectification = models.TextField("整改说明", blank=True)
    rectified_at = models.DateTimeField("整改时间", null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="整改人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recheck_note = models.TextField("复核意见", blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    returned_count = models.PositiveIntegerField("退回次数", default=0)

    # The responsible unit owns it; the cross-reviewing unit reads it (and adds by service).
    scope = Scope(
        region="region",
        organization="organization",
        organization_read=("assignment__reviewer_organization",),
    )

    class Meta:
        verbose_name = "会审问题"
        verbose_name_plural = "会审问题"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "check_key"],
                condition=~Q(check_key=""),
                name="review_finding_check_once",
            )
        ]
        indexes = [
            models.Index(fields=["review", "organization", "state"]),
            models.Index(fields=["state", "source"]),
        ]

    def display_field(self) -> str:
        return self.field_label or field_name(self.subject, self.field) if self.field else ""

    def __str__(self) -> str:
        return f"{self.subject_label}：{self.problem[:30]}"

    @property
    def is_automatic(self) -> bool:
        return self.source in AUTOMATIC_SOURCES
