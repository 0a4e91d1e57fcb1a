"""Maintenance projects (维修项目) and the three-year plan (三年维修规划); property service
contracts (物业服务合同), budgets (经费预算) and hand-entered expenses (能耗、租金).

A ``MaintenanceProject`` runs 申报 → 立项 (an approved ``maintenance_project`` case) → 实施 →
验收 → 评价 → 归档; its stage moves only through ``services`` (gates in ``gates``). Progress is
reported (``ProgressReport``) and money paid (``MaintenancePayment``) while it runs; both are
shown side by side (seed 002: 项目实施与资金使用双进度). A ``ThreeYearPlan`` gathers the units'
``PlanProposal``s for a region, ranked by the bureau and approved as a ``maintenance_plan`` case.

Every row names the organization it belongs to (the applicant, the proposer, the contracting
unit, the budget holder: for a compound's rows the compound's managing unit) and its region, so
the scope is the same as everywhere: a bureau its region subtree, a unit its own rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ..framework import clock
from ..framework.models import PrimaryModel
from ..framework.scope import Scope
from ..registry.models.fields import area_field
from ..registry.validators import validate_not_future
from ..standards.models import VersionKind, VersionQuerySet
from .choices import (
    AcceptanceResult,
    BudgetItem,
    Condition,
    ExpenseItem,
    GateStage,
    PlanState,
    PricePeriod,
    ProjectKind,
    ServiceScope,
    Stage,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


def money_field(verbose_name: str, *, required: bool = True, **kwargs) -> models.DecimalField:
    """An amount in 元, two decimal places, not negative."""
    return models.DecimalField(
        verbose_name,
        **MONEY,
        validators=[MinValueValidator(Decimal("0"))],
        null=not required,
        blank=not required,
        **kwargs,
    )


def year_field(verbose_name: str = "年度", **kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(verbose_name, validators=YEAR_VALIDATORS, **kwargs)


def region_field() -> models.ForeignKey:
    """The row's region, kept by the service from its property or organization (the scope)."""
    return models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )


def one_property_constraint(name: str, *, required: bool = True) -> models.CheckConstraint:
    both_empty = Q(compound__isnull=True, building__isnull=True)
    one = Q(compound__isnull=False, building__isnull=True) | Q(
        compound__isnull=True, building__isnull=False
    )
    return models.CheckConstraint(
        condition=one if required else one | both_empty,
        name=f"{name}_one_property",
        violation_error_message="院落和楼座须填写且只填写其中一项。",
    )


class PropertyMixin(models.Model):
    """A row about a compound or one building of it."""

    compound = models.ForeignKey(
        "registry.Compound",
        verbose_name="院落",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="与楼座二选一",
    )
    building = models.ForeignKey(
        "registry.Building",
        verbose_name="楼座",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="与院落二选一",
    )

    class Meta:
        abstract = True

    @property
    def target(self) -> models.Model | None:
        """The building, else the compound the row is about."""
        return self.building if self.building_id else self.compound

    @property
    def property_label(self) -> str:
        target = self.target
        return str(target) if target is not None else "—"

    def property_compound_id(self) -> int | None:
        if self.building_id:
            return self.building.compound_id
        return self.compound_id


class MaintenanceProject(PropertyMixin, PrimaryModel):
    """One maintenance project of a building or a compound, from proposal to archive."""

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="申报单位",
        on_delete=models.PROTECT,
        related_name="maintenance_projects",
    )
    region = region_field()
    kind = models.CharField("项目类型", max_length=10, choices=ProjectKind.choices)
    title = models.CharField("项目名称", max_length=120)
    reason = models.TextField("维修理由", help_text="房屋现状、存在问题及维修的必要性")
    estimate = money_field("估算金额（元）")
    funding_source = models.CharField(
        "资金来源", max_length=60, help_text="如财政预算资金、单位自有资金"
    )
    year = year_field("计划年度")
    stage = models.CharField(
        "阶段", max_length=12, choices=Stage.choices, default=Stage.PROPOSED, editable=False
    )
    case = models.ForeignKey(
        "workflow.Case",
        verbose_name="立项审批",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    proposal = models.ForeignKey(
        "PlanProposal",
        verbose_name="来自规划项目",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        editable=False,
    )
    approved_amount = money_field("批准金额（元）", required=False, editable=False)
    approved_on = models.DateField("立项日期", null=True, blank=True, editable=False)
    contractor = models.CharField("施工单位", max_length=100, blank=True, editable=False)
    contract_amount = money_field("合同金额（元）", required=False, editable=False)
    start_on = models.DateField("开工日期", null=True, blank=True, editable=False)
    planned_end_on = models.DateField("计划完工日期", null=True, blank=True, editable=False)
    progress_percent = models.PositiveSmallIntegerField("实施进度（%）", default=0, editable=False)
    paid_total = money_field("已付金额（元）", default=Decimal("0"), editable=False)
    accepted_on = models.DateField("验收日期", null=True, blank=True, editable=False)
    acceptance_result = models.CharField(
        "验收结论", max_length=10, choices=AcceptanceResult.choices, blank=True, editable=False
    )
    acceptance_note = models.TextField("验收意见", blank=True, editable=False)
    score = models.PositiveSmallIntegerField("评价得分", null=True, blank=True, editable=False)
    evaluation = models.TextField("评价意见", blank=True, editable=False)
    archived_on = models.DateField("归档日期", null=True, blank=True, editable=False)

    scope = Scope(region="region", organization="organization")
    changelog_exclude = ("created_at", "updated_at")

    class Meta:
        verbose_name = "维修项目"
        verbose_name_plural = "维修项目"
        ordering = ["-year", "-pk"]
        constraints = [one_property_constraint("maintenanceproject")]
        indexes = [models.Index(fields=["stage", "year"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if bool(self.compound_id) == bool(self.building_id):
            raise ValidationError({"compound": "院落和楼座须填写且只填写其中一项。"})

    # Money and progress (seed 002: 资金使用进度与实施进度) --------------------------------------
    @property
    def spent_percent(self) -> int | None:
        """Payments as a share of the contract, in whole percent (None before a contract)."""
        if not self.contract_amount:
            return None
        return int((self.paid_total * 100 / self.contract_amount).to_integral_value())

    @property
    def is_overdue(self) -> bool:
        """The planned end has passed and the works are not accepted."""
        from .choices import OPEN_WORK_STAGES

        return bool(
            self.planned_end_on
            and self.stage in OPEN_WORK_STAGES
            and self.planned_end_on < clock.today()
        )

    @property
    def over_budget_reasons(self) -> list[str]:
        """Why the project is over its approved amount (empty when it is not)."""
        if self.approved_amount is None:
            return []
        reasons = []
        if self.contract_amount is not None and self.contract_amount > self.approved_amount:
            reasons.append(
                f"合同金额 {self.contract_amount:,.2f} 元超过批准金额 {self.approved_amount:,.2f} 元"
            )
        if self.paid_total > self.approved_amount:
            reasons.append(
                f"已付金额 {self.paid_total:,.2f} 元超过批准金额 {self.approved_amount:,.2f} 元"
            )
        return reasons

    @property
    def is_over_budget(self) -> bool:
        return bool(self.over_budget_reasons)


class ProgressReport(PrimaryModel):
    """A progress report of a project under way (实施进度): date and percent done."""

    project = models.ForeignKey(
        MaintenanceProject,
        verbose_name="维修项目",
        on_delete=models.CASCADE,
        related_name="progress_reports",
    )
    reported_on = models.DateField("报告日期", validators=[validate_not_future])
    percent = models.PositiveSmallIntegerField("完成进度（%）", validators=[MaxValueValidator(100)])
    note = models.CharField("进展说明", max_length=300, blank=True)

    scope = Scope(region="project__region", organization="project__organization")

    class Meta:
        verbose_name = "实施进度"
        verbose_name_plural = "实施进度"
        ordering = ["-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.reported_on:%Y-%m-%d} {self.percent}%"


class MaintenancePayment(PrimaryModel):
    """A payment to the contractor of a project (资金使用)."""

    project = models.ForeignKey(
        MaintenanceProject,
        verbose_name="维修项目",
        on_delete=models.CASCADE,
        related_name="payments",
    )
    paid_on = models.DateField("付款日期", validators=[validate_not_future])
    amount = models.DecimalField(
        "金额（元）", **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    note = models.CharField(
        "说明", max_length=200, blank=True, help_text="如预付款、进度款、结算款"
    )

    scope = Scope(region="project__region", organization="project__organization")

    class Meta:
        verbose_name = "维修付款"
        verbose_name_plural = "维修付款"
        ordering = ["-paid_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.paid_on:%Y-%m-%d} {self.amount:,.2f} 元"


# Three-year plan ------------------------------------------------------------------------------
class ThreeYearPlan(PrimaryModel):
    """The bureau's three-year maintenance plan (三年维修规划) of its region."""

    region = models.ForeignKey(
        "registry.Region",
        verbose_name="区划",
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_year = year_field("起始年度")
    title = models.CharField("规划名称", max_length=120)
    state = models.CharField(
        "状态", max_length=10, choices=PlanState.choices, default=PlanState.OPEN, editable=False
    )
    case = models.ForeignKey(
        "workflow.Case",
        verbose_name="审批事项",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    note = models.TextField("说明", blank=True)

    # Units of the region read the plan (to propose items to it); the bureau writes it.
    scope = Scope(region="region", organization=None, organization_read=("region__organizations",))

    class Meta:
        verbose_name = "三年维修规划"
        verbose_name_plural = "三年维修规划"
        ordering = ["-start_year", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "start_year"],
                name="threeyearplan_unique_years",
                violation_error_message="该区划已有同一起始年度的三年维修规划。",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def end_year(self) -> int:
        return self.start_year + 2

    @property
    def years_label(self) -> str:
        return f"{self.start_year}—{self.end_year} 年"


class PlanProposal(PrimaryModel):
    """A unit's proposed item of a three-year plan: one building, one work, one year."""

    plan = models.ForeignKey(
        ThreeYearPlan,
        verbose_name="三年维修规划",
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    building = models.ForeignKey(
        "registry.Building", verbose_name="楼座", on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "registry.Organization", verbose_name="申报单位", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("维修内容", max_length=120)
    kind = models.CharField(
        "项目类型", max_length=10, choices=ProjectKind.choices, default=ProjectKind.MAJOR
    )
    estimate = money_field("估算金额（元）")
    year = year_field("实施年度")
    condition = models.CharField(
        "房屋使用状况", max_length=10, choices=Condition.choices, default=Condition.FAIR
    )
    rank = models.PositiveSmallIntegerField(
        "排序", null=True, blank=True, editable=False, help_text="机关事务管理局排定，1 为最优先"
    )
    note = models.TextField("说明", blank=True)

    scope = Scope(region="plan__region", organization="organization")

    class Meta:
        verbose_name = "规划申报项目"
        verbose_name_plural = "规划申报项目"
        ordering = ["plan", "rank", "pk"]

    def __str__(self) -> str:
        return f"{self.building} {self.title}"

    def clean(self) -> None:
        plan = getattr(self, "plan", None) if self.plan_id else None
        if plan is not None and self.year and not plan.start_year <= self.year <= plan.end_year:
            raise ValidationError(
                {"year": f"实施年度须在规划的 {plan.start_year}—{plan.end_year} 年之内。"}
            )


# Property services and funds ------------------------------------------------------------------
class ServiceContract(PropertyMixin, PrimaryModel):
    """A property service contract (物业服务合同) of a compound or a building."""

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="委托单位",
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        help_text="留空为院落的产权/管理单位",
    )
    region = region_field()
    provider = models.CharField("服务单位", max_length=100)
    scopes = models.JSONField(
        "服务内容", default=list, help_text="保洁、安保、绿化、维修、餐饮、其他"
    )
    area = area_field("服务面积")
    price = models.DecimalField(
        "单价（元/平方米）", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    price_period = models.CharField(
        "计价方式", max_length=6, choices=PricePeriod.choices, default=PricePeriod.MONTH
    )
    start_on = models.DateField("起始日期")
    end_on = models.DateField("终止日期")
    annual_amount = money_field("年度金额（元）", editable=False, default=Decimal("0"))
    note = models.TextField("备注", blank=True)

    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "物业服务合同"
        verbose_name_plural = "物业服务合同"
        ordering = ["-start_on", "-pk"]
        constraints = [one_property_constraint("servicecontract")]

    def __str__(self) -> str:
        return f"{self.property_label} {self.provider}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if bool(self.compound_id) == bool(self.building_id):
            errors["compound"] = "院落和楼座须填写且只填写其中一项。"
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = "终止日期不能早于起始日期。"
        scopes = self.scopes if isinstance(self.scopes, list) else None
        if not scopes:
            errors["scopes"] = "请至少选择一项服务内容。"
        elif any(s not in ServiceScope.values for s in scopes):
            errors["scopes"] = "服务内容只能是保洁、安保、绿化、维修、餐饮、其他。"
        if errors:
            raise ValidationError(errors)

    @property
    def scopes_label(self) -> str:
        labels = dict(ServiceScope.choices)
        return "、".join(str(labels.get(s, s)) for s in self.scopes or [])

    def yearly_amount(self) -> Decimal:
        """Area × price, a year's worth."""
        factor = 12 if self.price_period == PricePeriod.MONTH else 1
        return (self.area * self.price * factor).quantize(Decimal("0.01"))


class Budget(PrimaryModel):
    """A year's planned amount of one item (物业/维修/能耗/租金) of an organization or a
    compound; what was spent is computed (``selectors.budget_spent``)."""

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="预算单位",
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        help_text="院落的预算留空为院落的产权/管理单位",
    )
    compound = models.ForeignKey(
        "registry.Compound",
        verbose_name="院落",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="留空为单位预算",
    )
    region = region_field()
    year = year_field()
    item = models.CharField("项目", max_length=12, choices=BudgetItem.choices)
    planned = money_field("预算金额（元）")
    note = models.CharField("备注", max_length=200, blank=True)

    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "经费预算"
        verbose_name_plural = "经费预算"
        ordering = ["-year", "organization", "compound", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "item"],
                condition=Q(compound__isnull=True),
                name="budget_unique_organization_item",
                violation_error_message="该单位该年度已有此项预算。",
            ),
            models.UniqueConstraint(
                fields=["compound", "year", "item"],
                condition=Q(compound__isnull=False),
                name="budget_unique_compound_item",
                violation_error_message="该院落该年度已有此项预算。",
            ),
        ]

    def __str__(self) -> str:
        holder = self.compound if self.compound_id else self.organization
        return f"{holder} {self.year} 年{self.get_item_display()}预算"


class Expense(PrimaryModel):
    """Energy or rent spent (能耗、租金 支出), entered by hand for an organization or a compound."""

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="支出单位",
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        help_text="院落的支出留空为院落的产权/管理单位",
    )
    compound = models.ForeignKey(
        "registry.Compound",
        verbose_name="院落",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    region = region_field()
    item = models.CharField("项目", max_length=12, choices=ExpenseItem.choices)
    spent_on = models.DateField("支出日期", validators=[validate_not_future])
    amount = models.DecimalField(
        "金额（元）", **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    note = models.CharField(
        "说明", max_length=200, blank=True, help_text="如电费、水费、燃气费、房租"
    )

    scope = Scope(region="region", organization="organization")

    class Meta:
        verbose_name = "经费支出"
        verbose_name_plural = "经费支出"
        ordering = ["-spent_on", "-pk"]

    def __str__(self) -> str:
        holder = self.compound if self.compound_id else self.organization
        return f"{holder} {self.get_item_display()} {self.spent_on:%Y-%m-%d} {self.amount:,.2f} 元"


class StageRequirement(PrimaryModel):
    """A paper a project must have on file before a stage (one row of the stage gates' table).

    National rows (no region) are seeded from Guangxi's 《党政机关办公用房大中型维修项目管理规范》
    and read-only; a bureau adds rows of its region that replace the national row of the same
    stage, project kind and archives category (count 0: not required there). ``gates`` reads the
    rows in force, the nearest region winning.
    """

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
        help_text="地方规定适用于该区划及其下级区划；全国通用的规定不填",
    )
    stage = models.CharField("环节", max_length=12, choices=GateStage.choices)
    project_kind = models.CharField("项目类型", max_length=10, choices=ProjectKind.choices)
    category = models.SlugField("档案类别", max_length=30, help_text="所须资料归入的档案类别")
    count = models.PositiveSmallIntegerField(
        "份数", validators=[MaxValueValidator(50)], help_text="至少须上传的份数；0 表示本地不要求"
    )
    label = models.CharField("资料名称", max_length=60, help_text="提示中显示的资料名称")
    source = models.CharField("依据", max_length=300, help_text="文件名称与文号、条款")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField(
        "有效期至", null=True, blank=True, help_text="最后一天有效的日期；不填为长期有效"
    )

    objects = VersionQuerySet.as_manager()
    # Scope is decided by VersionQuerySet.restrict (national rows are seen everywhere).
    scope = None
    version_lookup: ClassVar[str] = ""

    class Meta:
        verbose_name = "维修环节须备资料"
        verbose_name_plural = "维修环节须备资料"
        ordering = ["region", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "stage", "project_kind", "category", "effective_from"],
                name="stagerequirement_unique_cell",
                violation_error_message="该区划同一生效日期已有此环节、项目类型和档案类别的规定。",
            ),
            models.UniqueConstraint(
                fields=["stage", "project_kind", "category", "effective_from"],
                condition=Q(region__isnull=True),
                name="stagerequirement_unique_national_cell",
                violation_error_message="全国规定中同一生效日期已有此环节、项目类型和档案类别。",
            ),
            models.CheckConstraint(
                condition=Q(kind="national", region__isnull=True)
                | Q(kind="local", region__isnull=False),
                name="stagerequirement_kind_region",
                violation_error_message="地方规定须指定适用区划，全国规定不指定区划。",
            ),
        ]

    def __str__(self) -> str:
        from .gates import category_name

        return (
            f"{self.get_stage_display()}前：{self.label} {self.count} 份"
            f"（{category_name(self.category)}）"
        )

    def clean(self) -> None:
        from ..archives.models import DocumentCategory

        errors: dict[str, str] = {}
        if self.kind == VersionKind.LOCAL and not self.region_id:
            errors["region"] = "地方规定须指定适用区划。"
        if self.category and not DocumentCategory.objects.filter(code=self.category).exists():
            errors["category"] = f"没有代码为“{self.category}”的档案类别。"
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = "有效期至不能早于生效日期。"
        if errors:
            raise ValidationError(errors)
