"""Area standards and rule parameters as versioned data (DESIGN §4.1–4.4).

A :class:`StandardVersion` is one document: the national standard (seeded by migration, read-only
in pages and API) or a local one a province — or any region below it — adds for its own subtree.
Its rows hold the figures: office limits by level and grade (表1), 职级 equivalences, service-room
allowances, rule parameters and clause texts. ``selectors.ruleset_for`` combines the versions in
force for a place into a ``RuleSet``.

Scope (``VersionQuerySet.restrict``): national versions are seen by every account with the view
permission; a local one by accounts whose scope lies inside or above its region; it is written
only by an account whose region scope contains its region. Rows follow their version.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from ..framework.models import PrimaryModel
from ..framework.querysets import RestrictedQuerySet
from ..framework.scope import NOTHING
from ..registry.choices import AdminLevel, Grade
from ..registry.plausibility import CEILING_KEYS
from .ruleset import CLAUSE_KEYS, PARAM_KEYS


class VersionKind(models.TextChoices):
    NATIONAL = "national", "国家标准"
    LOCAL = "local", "地方标准"


PARAM_LABELS = {
    "r1_tolerance_m2": "R1 办公室面积容差",
    "r3_grace_days": "R3 调离、退休腾退期限",
    "r4_grace_days": "R4 兼职办公室腾退期限",
    "r5_idle_days": "R5 闲置收回期限",
    "r7_grace_days": "R7 撤并单位腾退期限",
    "r9_area_tolerance": "R9 面积核对容差",
    "equipment_ratio": "设备用房比例",
    "k_multi": "使用面积系数 K（多层）",
    "k_high": "使用面积系数 K（高层）",
    "toilet_max_m2": "领导办公室卫生间面积上限",
    "max_office_room_m2": "办公室房间面积合理上限",
    "max_room_m2": "其他房间、食堂面积合理上限",
    "max_building_m2": "楼座面积合理上限",
    "max_land_m2": "院落土地面积合理上限",
}
CLAUSE_LABELS = {
    "R1": "R1 办公室面积（一间不超）",
    "R2": "R2 一人一处",
    "R3": "R3 调离、退休人员腾退",
    "R4": "R4 兼职办公室腾退",
    "R5": "R5 闲置用房收回",
    "R6": "R6 单位总面积",
    "R7": "R7 撤并单位用房",
    "R8": "R8 出租、出借和改变用途",
    "R9": "R9 数据质量",
    "table1": "表1 办公室使用面积",
    "note_sub_provincial": "表1 注1 副省级城市、副部级单位",
    "note_dispatched": "表1 注2 派出机构、事业单位",
    "note_rest_room": "表1 注3 休息室",
    "note_toilet": "表1 注4 卫生间",
    "note_township": "乡级机关",
    "formula": "总建筑面积核定公式",
}
ParamKey = models.TextChoices("ParamKey", [(k, (k, PARAM_LABELS[k])) for k in PARAM_KEYS])
ClauseKey = models.TextChoices("ClauseKey", [(k, (k, CLAUSE_LABELS[k])) for k in CLAUSE_KEYS])

# Sanity bounds of parameter values (not rules: rules are the values themselves).
FRACTION_KEYS = frozenset({"r9_area_tolerance", "equipment_ratio", "k_multi", "k_high"})
DAY_KEYS = frozenset({"r3_grace_days", "r4_grace_days", "r5_idle_days", "r7_grace_days"})

NATIONAL_READ_ONLY = (
    "国家标准随系统版本发布（由数据迁移维护），不能在页面或接口中新建、修改或删除。"
)


def region_prefixes(path: str) -> list[str]:
    """Paths of a region and its ancestors: "37/3704/" -> ["37/", "37/3704/"]."""
    codes = [c for c in path.split("/") if c]
    return ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]


def account_region(user):
    """The region an account's scope stands in: its region scope, or its organization's region."""
    if getattr(user, "scope_region_id", None):
        return user.scope_region
    organization = getattr(user, "scope_organization", None)
    return organization.region if organization is not None else None


def version_scope_q(user, action: str, prefix: str = "") -> Q:
    """Which versions (or rows, with ``prefix="version__"``) ``user`` may ``action``.

    View: national versions, and local ones whose region contains the account's place or lies
    inside its region scope. Write: local versions inside the account's region scope.
    """
    if action == "view":
        region = account_region(user)
        if region is None:
            return NOTHING
        q = Q(**{f"{prefix}kind": VersionKind.NATIONAL}) | Q(
            **{f"{prefix}region__path__in": region_prefixes(region.path)}
        )
        if getattr(user, "scope_region_id", None):
            q |= Q(**{f"{prefix}region__path__startswith": region.path})
        return q
    if not getattr(user, "scope_region_id", None):
        return NOTHING
    return Q(
        **{
            f"{prefix}kind": VersionKind.LOCAL,
            f"{prefix}region__path__startswith": user.scope_region.path,
        }
    )


def can_write_version(user, version: StandardVersion) -> bool:
    """What ``version_scope_q`` answers for writes, for one loaded version (buttons on pages)."""
    if version.kind != VersionKind.LOCAL or version.region_id is None:
        return False
    if not getattr(user, "scope_region_id", None) or not user.has_model_perm(
        StandardVersion, "change"
    ):
        return False
    return version.region.path.startswith(user.scope_region.path)


class VersionQuerySet(RestrictedQuerySet):
    """Scope by version (see the module docstring), for versions and their rows alike."""

    def restrict(self, user, action: str = "view") -> VersionQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.has_model_perm(self.model, action):
            return self.none()
        return self.filter(version_scope_q(user, action, self.model.version_lookup))

    def in_force(self, on: datetime.date) -> VersionQuerySet:
        """Versions (or rows of versions) in force on ``on``."""
        p = self.model.version_lookup
        return self.filter(
            Q(**{f"{p}effective_from__lte": on}),
            Q(**{f"{p}effective_to__isnull": True}) | Q(**{f"{p}effective_to__gte": on}),
        )


class StandardVersion(PrimaryModel):
    name = models.CharField("名称", max_length=100)
    kind = models.CharField(
        "类别", max_length=10, choices=VersionKind.choices, default=VersionKind.LOCAL
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="适用区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="standard_versions",
        help_text="地方标准适用于该区划及其下级区划；国家标准不填",
    )
    source = models.CharField(
        "来源",
        max_length=300,
        help_text="文件名称与文号，如《党政机关办公用房建设标准》（发改投资〔2014〕2674号）",
    )
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField(
        "有效期至", null=True, blank=True, help_text="最后一天有效的日期；不填为长期有效"
    )
    notes = models.TextField("说明", blank=True)

    objects = VersionQuerySet.as_manager()
    # Scope is decided by VersionQuerySet.restrict (national rows are seen everywhere); the
    # attribute marks the model as scoped for forms, filters and reference checks.
    scope = None
    version_lookup: ClassVar[str] = ""

    class Meta:
        verbose_name = "标准版本"
        verbose_name_plural = "标准版本"
        ordering = ["-effective_from", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="standardversion_unique_name",
                violation_error_message="该区划已有同名的标准版本。",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(region__isnull=True),
                name="standardversion_unique_national_name",
                violation_error_message="已有同名的国家标准版本。",
            ),
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=Q(kind="national"),
                name="standardversion_unique_national_date",
                violation_error_message="同一生效日期只能有一个国家标准版本。",
            ),
            models.CheckConstraint(
                condition=Q(kind="national", region__isnull=True)
                | Q(kind="local", region__isnull=False),
                name="standardversion_kind_region",
                violation_error_message="地方标准须指定适用区划，国家标准不指定区划。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_national(self) -> bool:
        return self.kind == VersionKind.NATIONAL

    def in_force_on(self, on: datetime.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or self.effective_to >= on)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == VersionKind.LOCAL and not self.region_id:
            errors["region"] = "地方标准须指定适用区划。"
        if self.kind == VersionKind.NATIONAL and self.region_id:
            errors["region"] = "国家标准适用于全国，不指定区划。"
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = "有效期至不能早于生效日期。"
        if errors:
            raise ValidationError(errors)


class VersionRow(PrimaryModel):
    """A row of a version: scoped and read-only like its version."""

    objects = VersionQuerySet.as_manager()
    scope = None
    version_lookup: ClassVar[str] = "version__"

    class Meta:
        abstract = True


def _clause_field() -> models.TextField:
    return models.TextField("条款依据", blank=True, help_text="文件名称、条款和原文要点")


def _version_fk(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        StandardVersion,
        verbose_name="标准版本",
        on_delete=models.CASCADE,
        related_name=related_name,
    )


class OfficeLimit(VersionRow):
    """表1: the usable office area per person of one grade in one row (level) of the standard."""

    version = _version_fk("office_limits")
    standard_level = models.CharField("标准层级", max_length=10, choices=AdminLevel.choices)
    grade = models.CharField("职级", max_length=20, choices=Grade.choices)
    area = models.DecimalField(
        "使用面积上限（m²/人）",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), "面积必须大于 0。")],
    )
    toilet_allowed = models.BooleanField(
        "可在面积内配卫生间",
        default=False,
        help_text="表1 注4：可在此面积内配备卫生间（不超过参数 toilet_max_m2）",
    )
    clause = _clause_field()

    class Meta:
        verbose_name = "办公室面积标准"
        verbose_name_plural = "办公室面积标准"
        ordering = ["version", "standard_level", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "standard_level", "grade"],
                name="officelimit_unique_cell",
                violation_error_message="该标准版本已有此层级、此职级的面积标准。",
            )
        ]

    def __str__(self) -> str:
        area = f"{Decimal(self.area):.2f}" if self.area is not None else "—"
        return f"{self.get_standard_level_display()} {self.get_grade_display()} {area} m²"


class GradeEquivalence(VersionRow):
    """A 职级 title (一级调研员 …) and the grade whose office standard it takes."""

    version = _version_fk("grade_equivalences")
    rank_title = models.CharField("职级名称", max_length=30)
    grade = models.CharField("对应职级", max_length=20, choices=Grade.choices)
    clause = _clause_field()

    class Meta:
        verbose_name = "职级对照"
        verbose_name_plural = "职级对照"
        ordering = ["version", "grade", "rank_title"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "rank_title"],
                name="gradeequivalence_unique_title",
                violation_error_message="该标准版本已有此职级名称的对照。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rank_title} → {self.get_grade_display()}"

    def clean(self) -> None:
        self.rank_title = (self.rank_title or "").strip()


class ServiceAllowance(VersionRow):
    """服务用房 per head of 编制定员, by level (B of DESIGN §4.3)."""

    version = _version_fk("service_allowances")
    standard_level = models.CharField("标准层级", max_length=10, choices=AdminLevel.choices)
    per_capita = models.DecimalField(
        "人均使用面积（m²）",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), "人均面积不能为负数。")],
    )
    clause = _clause_field()

    class Meta:
        verbose_name = "服务用房指标"
        verbose_name_plural = "服务用房指标"
        ordering = ["version", "standard_level"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "standard_level"],
                name="serviceallowance_unique_level",
                violation_error_message="该标准版本已有此层级的服务用房指标。",
            )
        ]

    def __str__(self) -> str:
        value = f"{Decimal(self.per_capita):.2f}" if self.per_capita is not None else "—"
        return f"{self.get_standard_level_display()}服务用房 {value} m²/人"


class RuleParameter(VersionRow):
    """A parameter of the rules (DESIGN §4.3–4.4): its value and unit."""

    version = _version_fk("parameters")
    key = models.CharField("参数", max_length=30, choices=ParamKey.choices)
    value = models.DecimalField("取值", max_digits=14, decimal_places=4)
    unit = models.CharField("单位", max_length=10, blank=True, help_text="如 天、m²、比例")
    clause = _clause_field()

    class Meta:
        verbose_name = "规则参数"
        verbose_name_plural = "规则参数"
        ordering = ["version", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"],
                name="ruleparameter_unique_key",
                violation_error_message="该标准版本已有此参数。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} = {self.display_value}"

    @property
    def display_value(self) -> str:
        if self.value is None:
            return ""
        number = f"{Decimal(self.value).normalize():f}"
        return f"{number} {self.unit}" if self.unit else number

    def clean(self) -> None:
        if self.value is None or not self.key:
            return
        if self.value < 0:
            raise ValidationError({"value": "参数取值不能为负数。"})
        if self.key in FRACTION_KEYS and self.value > 1:
            raise ValidationError({"value": "比例或系数应在 0 到 1 之间（如 0.09 表示 9%）。"})
        if self.key in ("k_multi", "k_high") and self.value == 0:
            raise ValidationError({"value": "使用面积系数 K 必须大于 0。"})
        if self.key in DAY_KEYS and self.value != self.value.to_integral_value():
            raise ValidationError({"value": "天数应为整数。"})
        if self.key in CEILING_KEYS and self.value == 0:
            raise ValidationError({"value": f"{self.get_key_display()}必须大于 0 平方米。"})


class Clause(VersionRow):
    """A clause text of the version: a rule (R1 …), a note of 表1 or the §4.3 formula."""

    version = _version_fk("clauses")
    key = models.CharField("条款", max_length=30, choices=ClauseKey.choices)
    title = models.CharField("标题", max_length=100)
    text = models.TextField("内容")

    class Meta:
        verbose_name = "条款说明"
        verbose_name_plural = "条款说明"
        ordering = ["version", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"],
                name="clause_unique_key",
                violation_error_message="该标准版本已有此条款。",
            )
        ]

    def __str__(self) -> str:
        return self.title


ROW_MODELS: tuple[type[VersionRow], ...] = (
    OfficeLimit,
    GradeEquivalence,
    ServiceAllowance,
    RuleParameter,
    Clause,
)
