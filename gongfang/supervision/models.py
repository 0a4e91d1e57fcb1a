"""Supervision of vehicle use: the rules' versions, the regions' areas, the findings and the scans.

``RuleVersion`` holds one rule's parameters with their source; the national defaults are seeded
by a migration, a bureau's edit saves a new local version for its region (the older one ends the
day before) — nothing is overwritten. ``RegionArea`` is the area a region's cars are expected to
stay in (V2): a bounding box or a polygon. ``Anomaly`` is a finding (违规使用线索) with its
explanation lines and figures, deduplicated by ``key`` (rule + trip, fuel record or silence), and
moves like a compliance warning: open → confirmed / explained (by the unit) / dismissed (by the
bureau or the supervisor). ``ScanRun`` records each scan: what it looked at, and its notes
(trips a rule could not judge, e.g. on a day of a year whose holidays are not announced).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..framework.models import PrimaryModel
from ..framework.querysets import RestrictedQuerySet
from ..framework.scope import Scope
from ..standards.models import VersionKind, VersionQuerySet
from .rules import PARAMETERS, Rule


class AnomalyState(models.TextChoices):
    OPEN = "open", "待核实"
    CONFIRMED = "confirmed", "已确认违规"
    EXPLAINED = "explained", "单位已说明"
    DISMISSED = "dismissed", "已排除"


class RuleVersion(PrimaryModel):
    """One version of one rule's parameters (national seed or a region's own)."""

    rule = models.CharField("规则", max_length=4, choices=Rule.choices)
    kind = models.CharField(
        "类别", max_length=10, choices=VersionKind.choices, default=VersionKind.LOCAL
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="适用区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="地方规则适用于该区划及其下级区划；国家默认规则不填",
    )
    number = models.PositiveIntegerField("版本号", default=1)
    enabled = models.BooleanField("启用", default=True)
    parameters = models.JSONField("参数", default=dict)
    source = models.CharField("依据", max_length=300, help_text="文件名称与文号或会议纪要")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("有效期至", null=True, blank=True)
    notes = models.TextField("说明", blank=True)

    objects = VersionQuerySet.as_manager()
    scope = None
    version_lookup: ClassVar[str] = ""

    class Meta:
        verbose_name = "监督规则版本"
        verbose_name_plural = "监督规则版本"
        ordering = ["rule", "-effective_from", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "region", "number"],
                name="ruleversion_unique_number",
                violation_error_message="该区划的此规则已有同一版本号。",
            ),
            models.UniqueConstraint(
                fields=["rule", "number"],
                condition=Q(region__isnull=True),
                name="ruleversion_unique_national_number",
                violation_error_message="国家默认规则已有同一版本号。",
            ),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region_id else "国家默认"
        return f"{self.get_rule_display()}（{where} 第 {self.number} 版）"

    def parameter_lines(self) -> list[str]:
        labels = PARAMETERS.get(self.rule, {})
        return [
            f"{labels[k][0]}：{v:g} {labels[k][1]}" if k in labels else f"{k}：{v}"
            for k, v in self.parameters.items()
        ]

    def clean(self) -> None:
        expected = set(PARAMETERS.get(self.rule, {}))
        given = set(self.parameters or {})
        if given != expected:
            raise ValidationError({"parameters": "参数项与规则不符。"})


class AreaKind(models.TextChoices):
    BBOX = "bbox", "矩形范围"
    POLYGON = "polygon", "多边形"


class RegionArea(PrimaryModel):
    """The area a region's cars are expected to stay in (V2)."""

    region = models.OneToOneField(
        "registry.Region", verbose_name="区划", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类型", max_length=10, choices=AreaKind.choices, default=AreaKind.BBOX)
    south = models.FloatField("南界纬度", null=True, blank=True)
    west = models.FloatField("西界经度", null=True, blank=True)
    north = models.FloatField("北界纬度", null=True, blank=True)
    east = models.FloatField("东界经度", null=True, blank=True)
    polygon = models.JSONField(
        "多边形", default=list, blank=True, help_text="[[纬度, 经度], …]，首尾不必重复"
    )
    source = models.CharField("来源", max_length=200, blank=True)
    note = models.TextField("备注", blank=True)

    scope = Scope(region="region", organization=None)

    class Meta:
        verbose_name = "区域范围"
        verbose_name_plural = "区域范围"
        ordering = ["region"]

    def __str__(self) -> str:
        return f"{self.region} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.kind == AreaKind.BBOX:
            values = (self.south, self.west, self.north, self.east)
            if any(v is None for v in values):
                raise ValidationError({"south": "矩形范围须填写四至。"})
            if self.south >= self.north or self.west >= self.east:
                raise ValidationError({"north": "北界须大于南界，东界须大于西界。"})
        elif not isinstance(self.polygon, list) or len(self.polygon) < 3:
            raise ValidationError({"polygon": "多边形至少需要 3 个顶点。"})


class Anomaly(PrimaryModel):
    """A finding of a rule (违规使用线索), explained with its figures."""

    rule = models.CharField("规则", max_length=4, choices=Rule.choices)
    key = models.CharField("线索标识", max_length=100, unique=True, editable=False)
    rule_version = models.ForeignKey(
        RuleVersion,
        verbose_name="规则版本",
        on_delete=models.PROTECT,
        related_name="anomalies",
        editable=False,
    )
    vehicle = models.ForeignKey(
        "vehicles.Vehicle", verbose_name="车辆", on_delete=models.CASCADE, related_name="anomalies"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    trip = models.ForeignKey(
        "terminals.Trip",
        verbose_name="行程",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="anomalies",
    )
    fuel_record = models.ForeignKey(
        "vehicles.FuelRecord",
        verbose_name="加油记录",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    occurred_at = models.DateTimeField("发生时间")
    summary = models.CharField("情况", max_length=300)
    lines = models.JSONField("判断依据", default=list)
    figures = models.JSONField("数据", default=dict, blank=True)
    state = models.CharField(
        "状态", max_length=12, choices=AnomalyState.choices, default=AnomalyState.OPEN
    )
    reason = models.TextField("说明或理由", blank=True)
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
    found_at = models.DateTimeField("发现时间", default=timezone.now, editable=False)

    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "用车异常"
        verbose_name_plural = "用车异常"
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["region", "state", "rule"]),
            models.Index(fields=["organization", "occurred_at"]),
            models.Index(fields=["vehicle", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.vehicle} {self.summary}"[:200]


class ScanRun(models.Model):
    """One scan: when, how many trips it looked at, what it found (the next scan starts here)."""

    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    trips = models.PositiveIntegerField("检查行程数", default=0)
    found = models.PositiveIntegerField("新发现线索", default=0)
    noted = models.PositiveIntegerField("未能判断", default=0)

    class Meta:
        verbose_name = "异常扫描记录"
        verbose_name_plural = "异常扫描记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"扫描 {self.started_at:%Y-%m-%d %H:%M}"


class ScanNote(models.Model):
    """A trip a rule could not judge, and why (V1 on a day of a year not announced)."""

    key = models.CharField("标识", max_length=100, unique=True)
    rule = models.CharField("规则", max_length=4, choices=Rule.choices)
    vehicle = models.ForeignKey(
        "vehicles.Vehicle", verbose_name="车辆", on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "registry.Organization", verbose_name="所属单位", on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name="所在区划", on_delete=models.CASCADE, related_name="+"
    )
    trip = models.ForeignKey(
        "terminals.Trip", verbose_name="行程", on_delete=models.CASCADE, null=True, related_name="+"
    )
    text = models.CharField("情况", max_length=300)
    noted_at = models.DateTimeField("记录时间", default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "未能判断的行程"
        verbose_name_plural = "未能判断的行程"
        ordering = ["-noted_at", "-pk"]

    def __str__(self) -> str:
        return self.text
