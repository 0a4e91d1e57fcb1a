"""Models of reporting (统计报送): forms as versioned data, periods, submissions, evaluation.

A form (``ReportForm``) is a year's version of the statistics tables with their fields and rules;
a province copies the national one and edits its copy on pages. A bureau opens a ``ReportPeriod``
for its region subtree; each reporting unit — an organization, or a region's bureau for that
level's own figures — has one current ``Submission`` per period, which climbs the states of
``SubmissionState``. An accepted submission is frozen; a correction is a new revision beside it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..archives.models import private_storage
from ..framework.models import PrimaryModel
from ..framework.scope import Scope
from .choices import (
    ActionKind,
    FieldKind,
    Importance,
    IndicatorKind,
    PeriodState,
    RuleKind,
    RuleOperator,
    SubmissionState,
    TableScope,
)


class ReportForm(PrimaryModel):
    """One version of the yearly statistics tables (e.g. 国管办发〔2019〕22号 as of 2026)."""

    name = models.CharField("报表名称", max_length=100)
    year = models.PositiveSmallIntegerField("适用年度")
    number = models.PositiveSmallIntegerField("版本号", default=1)
    source = models.CharField("依据", max_length=200, help_text="文件名称或文号")
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所属区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="不填为全国通用版本；省（市）复制后为本区划版本",
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name="复制自",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    note = models.TextField("说明", blank=True)

    # Forms are read by every reporting account; who edits which version the services decide.
    scope = None

    class Meta:
        verbose_name = "统计报表"
        verbose_name_plural = "统计报表"
        ordering = ["-year", "region", "-number"]

    def __str__(self) -> str:
        owner = self.region.name if self.region_id else "全国"
        return f"{self.year}年 {self.name}（{owner}第{self.number}版）"


class ReportTable(PrimaryModel):
    """One table of a form (行政区划信息, 办公用房信息, …)."""

    form = models.ForeignKey(
        ReportForm, verbose_name="报表", on_delete=models.CASCADE, related_name="tables"
    )
    code = models.CharField("表号", max_length=10)
    name = models.CharField("表名", max_length=60)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    filled_by = models.CharField(
        "填报范围", max_length=10, choices=TableScope.choices, default=TableScope.ALL
    )
    note = models.CharField("填报说明", max_length=300, blank=True)

    scope = None

    class Meta:
        verbose_name = "报表表格"
        verbose_name_plural = "报表表格"
        ordering = ["form", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "code"],
                name="reporttable_unique_code",
                violation_error_message="该报表已有此表号。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ReportField(PrimaryModel):
    """One cell of a table: what it holds and how the registry pre-fills it.

    ``prefill`` is data, e.g. ``{"model": "room", "agg": "sum", "field": "usable_area",
    "filter": {"category": "office"}}``, evaluated by :mod:`gongfang.reporting.prefill` over the
    unit's registry rows as of the period's date.
    """

    table = models.ForeignKey(
        ReportTable, verbose_name="表格", on_delete=models.CASCADE, related_name="fields"
    )
    code = models.CharField("指标代码", max_length=20, help_text="在整张报表内唯一，如 B03")
    label = models.CharField("指标名称", max_length=100)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    decimals = models.PositiveSmallIntegerField("小数位数", default=0)
    kind = models.CharField("类型", max_length=10, choices=FieldKind.choices)
    choices = models.JSONField("下拉选项", default=list, blank=True)
    prefill = models.JSONField("预填表达式", null=True, blank=True)
    summable = models.BooleanField("参与汇总", default=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    scope = None

    class Meta:
        verbose_name = "报表指标"
        verbose_name_plural = "报表指标"
        ordering = ["table", "order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    def get_absolute_url(self) -> str:
        return self.table.form.get_absolute_url()

    @property
    def prefill_text(self) -> str:
        from .prefill import describe_spec

        return describe_spec(self.prefill)


class ValidationRule(PrimaryModel):
    """A check over a form's cells: ``left operator right`` (arithmetic over field codes)."""

    form = models.ForeignKey(
        ReportForm, verbose_name="报表", on_delete=models.CASCADE, related_name="rules"
    )
    code = models.CharField("规则编号", max_length=20)
    kind = models.CharField("校验类别", max_length=10, choices=RuleKind.choices)
    left = models.CharField("左式", max_length=200, help_text="指标代码与 + - * / 组成，如 B02+B03")
    operator = models.CharField("关系", max_length=10, choices=RuleOperator.choices)
    right = models.CharField("右式", max_length=200, blank=True, help_text="算式、数值或正则")
    importance = models.CharField("重要程度", max_length=10, choices=Importance.choices)
    message = models.CharField("提示", max_length=200)

    scope = None

    class Meta:
        verbose_name = "校验规则"
        verbose_name_plural = "校验规则"
        ordering = ["form", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.message}"

    def get_absolute_url(self) -> str:
        return self.form.get_absolute_url()


class ReportPeriod(PrimaryModel):
    """A reporting round a bureau opens for its region subtree."""

    form = models.ForeignKey(
        ReportForm, verbose_name="报表", on_delete=models.PROTECT, related_name="periods"
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name="组织区划", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("统计年度")
    as_of = models.DateField("统计时点", help_text="数据截至日期，预填按此日期的登记数据")
    deadline = models.DateField("报送截止日期")
    state = models.CharField(
        "状态", max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    scope = Scope(region="region", organization=None)

    class Meta:
        verbose_name = "报送期"
        verbose_name_plural = "报送期"
        ordering = ["-year", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "form"],
                name="reportperiod_unique_year",
                violation_error_message="该区划本年度已发起此报表的报送。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region.name}{self.year}年度{self.form.name}"


class Submission(PrimaryModel):
    """One reporting unit's figures for one period, in one revision.

    The unit is an organization (``organization`` set) or a region's bureau reporting that
    level's own figures (``organization`` empty). It goes to ``receiver`` — the bureau of the
    organization's region, or of the region one level up.
    """

    period = models.ForeignKey(
        ReportPeriod, verbose_name="报送期", on_delete=models.CASCADE, related_name="submissions"
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="填报单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="不填为该区划机关事务管理部门的本级报送",
    )
    receiver = models.ForeignKey(
        "registry.Region",
        verbose_name="接收区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit_key = models.CharField("填报主体", max_length=30, editable=False)
    revision = models.PositiveSmallIntegerField("报送版次", default=1)
    is_current = models.BooleanField("当前版次", default=True)
    previous = models.OneToOneField(
        "self",
        verbose_name="更正前版次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
    )
    correction_reason = models.CharField("更正原因", max_length=300, blank=True)
    state = models.CharField(
        "状态",
        max_length=12,
        choices=SubmissionState.choices,
        default=SubmissionState.NOT_STARTED,
        db_index=True,
    )
    values = models.JSONField("填报数据", default=dict, blank=True)
    prefilled = models.JSONField("登记数据", default=dict, blank=True, editable=False)
    check_results = models.JSONField("校验结果", default=list, blank=True, editable=False)
    checked_at = models.DateTimeField("校验时间", null=True, blank=True)
    first_check_passed = models.BooleanField("首次校验通过", null=True, blank=True)
    contact_name = models.CharField("联络人", max_length=50, blank=True)
    contact_phone = models.CharField("联络电话", max_length=20, blank=True)
    signer_name = models.CharField("签批领导", max_length=50, blank=True)
    signer_title = models.CharField("签批领导职务", max_length=60, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签批账号",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField("签批时间", null=True, blank=True)
    signature_method = models.CharField("身份确认方式", max_length=30, blank=True)
    content_hash = models.CharField("内容摘要", max_length=128, blank=True)
    signed_scan = models.FileField(
        "签批扫描件",
        storage=private_storage,
        upload_to="reporting/%Y/",
        max_length=200,
        blank=True,
        editable=False,
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    decided_at = models.DateTimeField("接收/退回时间", null=True, blank=True)
    return_reasons = models.TextField("退回原因", blank=True)
    external = models.BooleanField("外部系统报送", default=False)

    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "报送"
        verbose_name_plural = "报送"
        ordering = ["period", "region", "organization", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit_key", "revision"],
                name="submission_unique_revision",
                violation_error_message="该单位本期已有此版次。",
            ),
            models.UniqueConstraint(
                fields=["period", "unit_key"],
                condition=models.Q(is_current=True),
                name="submission_one_current",
                violation_error_message="该单位本期只能有一个当前版次。",
            ),
        ]
        indexes = [models.Index(fields=["period", "receiver", "is_current"])]

    def __str__(self) -> str:
        return f"{self.unit_name} {self.period.year}年度报送（第{self.revision}版）"

    @property
    def unit_name(self) -> str:
        if self.organization_id:
            return self.organization.name
        return f"{self.region.name}（本级）"

    @property
    def is_bureau(self) -> bool:
        return self.organization_id is None


class SubmissionAction(models.Model):
    """One step of a submission's history (shown on its page and on its receipts)."""

    submission = models.ForeignKey(
        Submission, verbose_name="报送", on_delete=models.CASCADE, related_name="actions"
    )
    action = models.CharField("操作", max_length=10, choices=ActionKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField("时间")
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "报送记录"
        verbose_name_plural = "报送记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_action_display()


class EvaluationIndicator(PrimaryModel):
    """A scoring indicator (考评指标) and its points; the bureau edits them."""

    code = models.CharField("指标编号", max_length=20, unique=True)
    name = models.CharField("指标名称", max_length=60)
    kind = models.CharField("计分方式", max_length=20, choices=IndicatorKind.choices)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1)
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    scope = None

    class Meta:
        verbose_name = "考评指标"
        verbose_name_plural = "考评指标"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.points}分）"


class EvaluationScore(models.Model):
    """One unit's score on one indicator in one period (the 考评台账)."""

    period = models.ForeignKey(
        ReportPeriod, verbose_name="报送期", on_delete=models.CASCADE, related_name="scores"
    )
    submission = models.ForeignKey(
        Submission, verbose_name="报送", on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        EvaluationIndicator, verbose_name="指标", on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)
    note = models.CharField("说明", max_length=100, blank=True)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "考评得分"
        verbose_name_plural = "考评得分"
        ordering = ["period", "submission", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator"], name="evaluationscore_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.points}"
