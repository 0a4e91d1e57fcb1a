from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from ...framework.models import PrimaryModel
from ...framework.scope import Scope
from ..choices import AdminLevel, Grade, OrganizationKind, OrganizationStatus
from ..validators import validate_not_future, validate_uscc


class Organization(PrimaryModel):
    """A Party or government organ, institution or mass organization (机构/单位)."""

    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    uscc = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc],
        help_text="18 位；内设机构等无独立代码的可不填",
    )
    kind = models.CharField("单位类别", max_length=20, choices=OrganizationKind.choices)
    level = models.CharField("机构层级", max_length=10, choices=AdminLevel.choices)
    standard_level = models.CharField(
        "适用标准层级",
        max_length=10,
        choices=AdminLevel.choices,
        blank=True,
        help_text="适用的办公用房面积标准行；不填则按默认：副省级市的市级单位按省级（表1 注1），"
        "其余与机构层级相同；派出机构等可另行指定（表1 注2）",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="主管部门",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    staffing_quota = models.PositiveIntegerField("行政编制数", default=0)
    institution_staffing_quota = models.PositiveIntegerField("事业编制数", default=0)
    status = models.CharField(
        "状态", max_length=10, choices=OrganizationStatus.choices, default=OrganizationStatus.ACTIVE
    )
    abolished_on = models.DateField(
        "撤销/合并日期", null=True, blank=True, validators=[validate_not_future]
    )
    successor = models.ForeignKey(
        "self",
        verbose_name="承继单位",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    # "/12/57/": the chain of ids from the top organization; maintained by the service.
    path = models.CharField("路径", max_length=255, db_index=True, editable=False, blank=True)

    scope = Scope(region="region", organization="")

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_standard_level(self) -> str:
        return self.standard_level or self.level

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.uscc == "":
            self.uscc = None
        if self.status == OrganizationStatus.ACTIVE:
            if self.abolished_on:
                errors["abolished_on"] = "存续单位不应填写撤销/合并日期。"
        elif not self.abolished_on:
            errors["abolished_on"] = f"状态为“{self.get_status_display()}”时必须填写撤销/合并日期。"
        if self.status == OrganizationStatus.MERGED and not self.successor_id:
            errors["successor"] = "已合并的单位必须指定承继单位。"
        if self.pk and self.successor_id == self.pk:
            errors["successor"] = "承继单位不能是本单位。"
        if self.parent_id and self.pk:
            if self.parent_id == self.pk:
                errors["parent"] = "主管部门不能是本单位。"
            elif self.path and self.parent.path.startswith(self.path):
                errors["parent"] = f"主管部门“{self.parent}”是本单位的下属单位，不能形成循环。"
        if errors:
            raise ValidationError(errors)

    def compute_path(self) -> str:
        return (self.parent.path if self.parent else "/") + f"{self.pk}/"


class LeadershipQuota(PrimaryModel):
    """Approved leader posts of one grade in one organization (领导职数)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name="单位",
        on_delete=models.CASCADE,
        related_name="leadership_quotas",
    )
    grade = models.CharField("职级", max_length=20, choices=Grade.choices)
    count = models.PositiveSmallIntegerField("职数", validators=[MinValueValidator(1)])

    scope = Scope(region="organization__region", organization="organization")

    class Meta:
        verbose_name = "领导职数"
        verbose_name_plural = "领导职数"
        ordering = ["organization", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "grade"],
                name="leadershipquota_unique_grade",
                violation_error_message="该单位已登记此职级的领导职数。",
            ),
            models.CheckConstraint(
                condition=models.Q(count__gt=0),
                name="leadershipquota_count_positive",
                violation_error_message="职数必须大于 0。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_grade_display()} {self.count} 名"
