"""Inspections (督查), tip-offs (线索) and rectification (整改) — DESIGN §5, design/inspections.md.

A ``Checklist`` is versioned data: the seven aspects checked for organizations and the four for
leaders (seed 001), each item naming the rules R1–R9 that already detect it, so an inspection of
a unit opens with what the system knows. An ``InspectionPlan`` (全面 / 专项 / 重点 / 回头看) is
carried out by one ``Inspection`` per organization; on site the team records an ``ItemCheck``
per item and a ``Measurement`` per measured room (which changes the registry only once accepted).
A ``Tip`` from 12345, the public, the internet or the media is followed to its answer. What is
wrong becomes a ``Finding`` with one of the three kinds of rectification (seed 003), answered by a
``Rectification``, re-checked (``Recheck``), urged (``Urge``) or referred (``Referral``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ..compliance.models import Rule
from ..framework.models import DATES_ORDERED_MESSAGE, PrimaryModel, dates_ordered_constraint
from ..framework.scope import Scope
from ..registry.models.fields import area_field, positive_area_constraint
from .choices import (
    FindingState,
    InspectionState,
    ItemResult,
    ItemTarget,
    MeasurementState,
    PlanKind,
    PlanState,
    RecheckResult,
    RectificationKind,
    TipSource,
    TipState,
)

RULE_CODES = frozenset(Rule.values)


def validate_rule_codes(value) -> None:
    """A checklist item's rules: a list of known rule codes (R1–R9), each once."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError('关联规则须为规则编号的列表，如 ["R1", "R2"]。')
    unknown = [code for code in value if code not in RULE_CODES]
    if unknown:
        raise ValidationError(f"未知的规则编号：{'、'.join(unknown)}（可选 R1–R9）。")
    if len(set(value)) != len(value):
        raise ValidationError("关联规则不能重复。")


# Checklists ------------------------------------------------------------------------------------
class Checklist(PrimaryModel):
    """One revision of the national checklist; an inspection keeps the revision it was run on."""

    revision = models.PositiveIntegerField("版本号", unique=True)
    effective_from = models.DateField("施行日期")
    source = models.CharField("依据", max_length=300, help_text="文件名称、文号或出处")
    note = models.TextField("修订说明", blank=True)

    # National data: whoever may view checklists reads every revision; the bureau adds them.
    scope = None

    class Meta:
        verbose_name = "督查清单"
        verbose_name_plural = "督查清单"
        ordering = ["-revision"]

    def __str__(self) -> str:
        return f"督查清单第{self.revision}版"


class ChecklistItem(PrimaryModel):
    """One aspect checked: for organizations (七个方面) or for leaders (四个方面)."""

    checklist = models.ForeignKey(
        Checklist, verbose_name="督查清单", on_delete=models.CASCADE, related_name="items"
    )
    target = models.CharField("督查对象", max_length=12, choices=ItemTarget.choices)
    aspect = models.PositiveSmallIntegerField("序号", help_text="同一对象内的第几个方面")
    title = models.CharField("检查内容", max_length=200)
    description = models.TextField("检查要点", blank=True)
    rules = models.JSONField(
        "关联规则",
        default=list,
        blank=True,
        validators=[validate_rule_codes],
        help_text="系统中能发现此问题的规则编号（R1–R9）",
    )
    source = models.CharField("出处", max_length=300, blank=True)

    scope = None

    class Meta:
        verbose_name = "督查清单项"
        verbose_name_plural = "督查清单项"
        ordering = ["checklist", "target", "aspect"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "target", "aspect"],
                name="checklistitem_unique_aspect",
                violation_error_message="同一版本中该督查对象已有此序号。",
            ),
            models.CheckConstraint(
                condition=Q(aspect__gte=1), name="checklistitem_aspect_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()}{self.aspect}. {self.title}"


# Plans and inspections ---------------------------------------------------------------------------
class AssessmentDate(PrimaryModel):
    """The government's yearly assessment (政府考核) of a region: the full inspection of that year
    must be finished one month before it (seed 001), so its deadline is derived from this."""

    region = models.ForeignKey(
        "registry.Region", verbose_name="行政区划", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    assessed_on = models.DateField("考核日期")
    source = models.CharField("依据", max_length=200, blank=True)

    scope = Scope(region="region", organization=None)

    class Meta:
        verbose_name = "政府考核日期"
        verbose_name_plural = "政府考核日期"
        ordering = ["-year", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"],
                name="assessmentdate_unique_year",
                violation_error_message="该区划该年度已登记考核日期。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}年考核 {self.assessed_on:%Y-%m-%d}"


class InspectionPlan(PrimaryModel):
    """A plan of inspections in a region: its kind, year, the organizations it covers, the team
    (bureau staff and the discipline commission's 纪检监督 accounts) and its dates."""

    kind = models.CharField("检查类型", max_length=12, choices=PlanKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("计划名称", max_length=200)
    region = models.ForeignKey(
        "registry.Region", verbose_name="行政区划", on_delete=models.PROTECT, related_name="+"
    )
    all_organizations = models.BooleanField(
        "区划内全部单位", default=True, help_text="否则只检查所选单位"
    )
    organizations = models.ManyToManyField(
        "registry.Organization",
        verbose_name="检查单位",
        blank=True,
        related_name="inspection_plans",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="督查组成员",
        blank=True,
        related_name="inspection_plans",
    )
    checklist = models.ForeignKey(
        Checklist, verbose_name="督查清单", on_delete=models.PROTECT, related_name="plans"
    )
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期")
    deadline = models.DateField(
        "完成期限", null=True, blank=True, help_text="全面检查默认为政府考核日期前一个月"
    )
    state = models.CharField(
        "状态", max_length=12, choices=PlanState.choices, default=PlanState.PLANNED
    )
    basis = models.TextField("检查依据与要求", blank=True)

    # A unit reads the plans it is inspected under.
    scope = Scope(
        region="region", organization=None, organization_read=("inspections__organization",)
    )

    class Meta:
        verbose_name = "督查计划"
        verbose_name_plural = "督查计划"
        ordering = ["-year", "-start_on", "-pk"]
        constraints = [
            dates_ordered_constraint("start_on", "end_on", "inspectionplan_dates_ordered")
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": DATES_ORDERED_MESSAGE})
        if self.start_on and self.year and self.start_on.year != self.year:
            raise ValidationError({"start_on": f"开始日期须在{self.year}年内。"})


class Inspection(PrimaryModel):
    """The inspection of one organization under a plan."""

    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name="督查计划",
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="被检查单位",
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    # The organization's region, kept by the service: what the scope filters by.
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    checklist = models.ForeignKey(
        Checklist, verbose_name="督查清单", on_delete=models.PROTECT, related_name="inspections"
    )
    scheduled_on = models.DateField("检查日期", null=True, blank=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="检查人员",
        blank=True,
        related_name="inspections",
    )
    state = models.CharField(
        "状态",
        max_length=12,
        choices=InspectionState.choices,
        default=InspectionState.PLANNED,
        editable=False,
    )
    started_at = models.DateTimeField("开始检查时间", null=True, blank=True, editable=False)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True, editable=False)
    summary = models.TextField("检查小结", blank=True)

    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "督查检查"
        verbose_name_plural = "督查检查"
        ordering = ["-scheduled_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organization"],
                name="inspection_unique_organization",
                violation_error_message="该计划已有对此单位的检查。",
            )
        ]
        indexes = [models.Index(fields=["state", "organization"])]

    def __str__(self) -> str:
        return f"{self.plan.title} · {self.organization}"


class ItemCheck(PrimaryModel):
    """The result of one checklist item in one inspection."""

    inspection = models.ForeignKey(
        Inspection, verbose_name="督查检查", on_delete=models.CASCADE, related_name="item_checks"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name="检查内容", on_delete=models.PROTECT, related_name="checks"
    )
    result = models.CharField("检查结果", max_length=4, choices=ItemResult.choices)
    note = models.TextField("情况说明", blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="检查人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    checked_at = models.DateTimeField("检查时间", null=True, blank=True, editable=False)

    scope = Scope(region="inspection__region", organization="inspection__organization")

    class Meta:
        verbose_name = "检查项结果"
        verbose_name_plural = "检查项结果"
        ordering = ["inspection", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"],
                name="itemcheck_unique_item",
                violation_error_message="本次检查已记录此项的结果。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item}：{self.get_result_display()}"


class Measurement(PrimaryModel):
    """An area measured on site (laser rangefinder, seed 003). It changes nothing until accepted;
    then the room's usable area is written through the registry's services (source 实地测量) and
    the change-log row is kept here."""

    inspection = models.ForeignKey(
        Inspection, verbose_name="督查检查", on_delete=models.CASCADE, related_name="measurements"
    )
    room = models.ForeignKey(
        "registry.Room", verbose_name="房间", on_delete=models.PROTECT, related_name="measurements"
    )
    measured_area = area_field("实测使用面积")
    registered_area = area_field("登记使用面积", editable=False)
    measured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="测量人",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    measured_at = models.DateTimeField("测量时间", editable=False)
    note = models.CharField("备注", max_length=300, blank=True)
    state = models.CharField(
        "状态",
        max_length=10,
        choices=MeasurementState.choices,
        default=MeasurementState.RECORDED,
        editable=False,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True, editable=False)
    reject_reason = models.CharField("退回理由", max_length=300, blank=True, editable=False)
    accepted_change = models.ForeignKey(
        "framework.ObjectChange",
        verbose_name="面积变更记录",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    scope = Scope(region="inspection__region", organization="inspection__organization")

    class Meta:
        verbose_name = "实地测量"
        verbose_name_plural = "实地测量"
        ordering = ["-measured_at", "-pk"]
        constraints = [
            positive_area_constraint("measurement", "measured_area"),
            models.CheckConstraint(
                condition=~Q(state=MeasurementState.REJECTED) | ~Q(reject_reason=""),
                name="measurement_rejected_has_reason",
                violation_error_message="退回须填写理由。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room} 实测 {self.measured_area} 平方米"

    @property
    def difference(self):
        """Measured minus registered, m²."""
        return self.measured_area - self.registered_area


# Tip-offs -----------------------------------------------------------------------------------------
class Tip(PrimaryModel):
    """A tip-off (线索) about an organization, optionally one of its rooms, buildings or people.

    Units do not read tips (whoever reported must not be exposed to the unit reported on): the
    bureau and the supervisors of the region do.
    """

    source = models.CharField("线索来源", max_length=10, choices=TipSource.choices)
    received_on = models.DateField("受理日期")
    content = models.TextField("反映内容")
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="涉及单位",
        on_delete=models.PROTECT,
        related_name="tips",
    )
    subject_type = models.ForeignKey(
        ContentType,
        verbose_name="涉及对象类型",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject_id = models.PositiveBigIntegerField("涉及对象编号", null=True, blank=True)
    subject_label = models.CharField("涉及对象", max_length=200, blank=True, editable=False)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tips",
    )
    deadline = models.DateField("办理期限", null=True, blank=True)
    state = models.CharField(
        "状态",
        max_length=10,
        choices=TipState.choices,
        default=TipState.RECEIVED,
        editable=False,
    )
    check_result = models.TextField("核查情况", blank=True, editable=False)
    substantiated = models.BooleanField("反映属实", null=True, blank=True, editable=False)
    answer = models.TextField("答复内容", blank=True, editable=False)
    answered_on = models.DateField("答复日期", null=True, blank=True, editable=False)
    closed_on = models.DateField("办结日期", null=True, blank=True, editable=False)

    scope = Scope(region="region", organization=None)

    class Meta:
        verbose_name = "问题线索"
        verbose_name_plural = "问题线索"
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_type__isnull=True, subject_id__isnull=True)
                | Q(subject_type__isnull=False, subject_id__isnull=False),
                name="tip_subject_complete",
                violation_error_message="涉及对象的类型和编号须同时填写。",
            )
        ]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.received_on:%Y-%m-%d} {self.organization}"


# Findings and rectification (H7 writes the services) -------------------------------------------
class Finding(PrimaryModel):
    """A problem found, by an inspection or from a tip, with its kind of rectification."""

    inspection = models.ForeignKey(
        Inspection,
        verbose_name="督查检查",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    tip = models.ForeignKey(
        Tip,
        verbose_name="问题线索",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        related_name="findings",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    item = models.ForeignKey(
        ChecklistItem,
        verbose_name="检查内容",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    subject_type = models.ForeignKey(
        ContentType,
        verbose_name="涉及对象类型",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject_id = models.PositiveBigIntegerField("涉及对象编号", null=True, blank=True)
    subject_label = models.CharField("涉及对象", max_length=200, blank=True, editable=False)
    description = models.TextField("问题描述")
    rectification_kind = models.CharField(
        "整改方式", max_length=10, choices=RectificationKind.choices
    )
    deadline = models.DateField("整改期限", null=True, blank=True)
    state = models.CharField(
        "状态",
        max_length=10,
        choices=FindingState.choices,
        default=FindingState.OPEN,
        editable=False,
    )
    warning = models.ForeignKey(
        "compliance.Warning",
        verbose_name="关联预警",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发现人",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True, editable=False)

    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "督查问题"
        verbose_name_plural = "督查问题"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rectification_kind=RectificationKind.DEADLINE)
                | Q(deadline__isnull=False),
                name="finding_deadline_kind_has_deadline",
                violation_error_message="限期整改须填写整改期限。",
            ),
            models.CheckConstraint(
                condition=Q(subject_type__isnull=True, subject_id__isnull=True)
                | Q(subject_type__isnull=False, subject_id__isnull=False),
                name="finding_subject_complete",
                violation_error_message="涉及对象的类型和编号须同时填写。",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"]),
            models.Index(fields=["organization", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.organization}：{self.description[:30]}"


class Rectification(PrimaryModel):
    """The unit's answer to a finding (evidence: archives documents on the finding)."""

    finding = models.ForeignKey(
        Finding, verbose_name="督查问题", on_delete=models.CASCADE, related_name="rectifications"
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="整改报告人",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    responded_at = models.DateTimeField("报告时间", editable=False)
    description = models.TextField("整改情况")

    scope = Scope(region="finding__region", organization="finding__organization")

    class Meta:
        verbose_name = "整改情况"
        verbose_name_plural = "整改情况"
        ordering = ["finding", "responded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.finding} 整改报告"


class Recheck(PrimaryModel):
    """The inspector's re-check (复查) of a rectification: closed or reopened."""

    finding = models.ForeignKey(
        Finding, verbose_name="督查问题", on_delete=models.CASCADE, related_name="rechecks"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复查人",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    on = models.DateField("复查日期")
    result = models.CharField("复查结论", max_length=10, choices=RecheckResult.choices)
    note = models.TextField("复查意见", blank=True)

    scope = Scope(region="finding__region", organization="finding__organization")

    class Meta:
        verbose_name = "复查记录"
        verbose_name_plural = "复查记录"
        ordering = ["finding", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.finding} 复查：{self.get_result_display()}"


class Urge(PrimaryModel):
    """督办: a supervisor or the bureau presses a late finding or an open warning."""

    finding = models.ForeignKey(
        Finding,
        verbose_name="督查问题",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="urges",
    )
    warning = models.ForeignKey(
        "compliance.Warning",
        verbose_name="预警",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="urges",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="被督办单位",
        on_delete=models.PROTECT,
        related_name="urges",
        editable=False,
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办人",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    at = models.DateTimeField("督办时间", editable=False)
    message = models.TextField("督办意见")

    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finding__isnull=False, warning__isnull=True)
                | Q(finding__isnull=True, warning__isnull=False),
                name="urge_one_target",
                violation_error_message="督办对象须为一个督查问题或一条预警。",
            )
        ]

    def __str__(self) -> str:
        return f"督办 {self.organization} {self.at:%Y-%m-%d}"


class Referral(PrimaryModel):
    """移交纪检监察: findings handed to the discipline commission, with the outcome."""

    findings = models.ManyToManyField(Finding, verbose_name="移交问题", related_name="referrals")
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="涉及单位",
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    referred_on = models.DateField("移交日期")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="移交人",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    recipient = models.CharField("接收机关", max_length=100, default="纪委监委")
    package = models.ForeignKey(
        "archives.Document",
        verbose_name="移交材料",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    outcome = models.TextField("处理结果", blank=True)
    outcome_on = models.DateField("结果日期", null=True, blank=True)

    # Units do not read what was referred about them.
    scope = Scope(region="region", organization=None)

    class Meta:
        verbose_name = "移交纪检监察"
        verbose_name_plural = "移交纪检监察"
        ordering = ["-referred_on", "-pk"]

    def __str__(self) -> str:
        return f"移交 {self.organization} {self.referred_on:%Y-%m-%d}"
