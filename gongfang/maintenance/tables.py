"""List-page tables of maintenance."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from ..framework.tables import (
    ActionsColumn,
    AreaColumn,
    BaseTable,
    DateColumn,
    LinkedColumn,
    NumberColumn,
    RelatedColumn,
)
from .models import (
    Budget,
    Expense,
    MaintenancePayment,
    MaintenanceProject,
    PlanProposal,
    ProgressReport,
    ServiceContract,
    StageRequirement,
    ThreeYearPlan,
)


class PropertyColumn(tables.Column):
    """The compound or building of the row, linked when the account may see it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", "院落/楼座")
        kwargs.setdefault("accessor", "property_label")
        kwargs.setdefault(
            "order_by", ("compound__name", "building__compound__name", "building__name")
        )
        super().__init__(*args, **kwargs)

    def render(self, record, table):
        target = record.target
        if target is not None and table.may_view(type(target)):
            return format_html('<a href="{}">{}</a>', target.get_absolute_url(), str(target))
        return record.property_label


class MoneyColumn(NumberColumn):
    def render(self, value):
        return f"{value:,.2f}" if value is not None else "—"


def flags_html(project: MaintenanceProject):
    """Red badges for an overdue or over-budget project (list and page)."""
    flags = []
    if project.is_overdue:
        flags.append(("bg-red-lt", "逾期"))
    if project.is_over_budget:
        flags.append(("bg-orange-lt", "超批准金额"))
    return format_html_join(" ", '<span class="badge {}">{}</span>', flags)


class MaintenanceProjectTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    title = LinkedColumn(verbose_name="项目名称")
    target = PropertyColumn()
    kind = tables.Column(verbose_name="项目类型")
    year = tables.Column(verbose_name="年度")
    stage = tables.Column(verbose_name="阶段")
    flags = tables.Column(verbose_name="提示", accessor="pk", orderable=False)
    organization = RelatedColumn(verbose_name="申报单位", order_by="organization__name")
    estimate = MoneyColumn(verbose_name="估算（元）")
    approved_amount = MoneyColumn(verbose_name="批准（元）")
    contract_amount = MoneyColumn(verbose_name="合同（元）")
    paid_total = MoneyColumn(verbose_name="已付（元）")
    progress_percent = NumberColumn(verbose_name="进度（%）")
    planned_end_on = DateColumn(verbose_name="计划完工")
    contractor = tables.Column(verbose_name="施工单位")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")
    actions = ActionsColumn()

    default_columns = (
        "title",
        "target",
        "kind",
        "year",
        "stage",
        "flags",
        "approved_amount",
        "paid_total",
        "progress_percent",
        "planned_end_on",
    )

    class Meta(BaseTable.Meta):
        model = MaintenanceProject
        fields = ()
        sequence = (
            "id",
            "title",
            "target",
            "kind",
            "year",
            "stage",
            "flags",
            "organization",
            "estimate",
            "approved_amount",
            "contract_amount",
            "paid_total",
            "progress_percent",
            "planned_end_on",
            "contractor",
            "region",
            "actions",
        )

    def render_flags(self, record):
        return flags_html(record) or "—"


class ProgressReportTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    project = RelatedColumn(verbose_name="维修项目", order_by="project__title")
    reported_on = DateColumn(verbose_name="报告日期")
    percent = NumberColumn(verbose_name="完成进度（%）")
    note = tables.Column(verbose_name="进展说明")
    actions = ActionsColumn()

    default_columns = ("id", "project", "reported_on", "percent", "note")

    class Meta(BaseTable.Meta):
        model = ProgressReport
        fields = ()
        sequence = ("id", "project", "reported_on", "percent", "note", "actions")


class MaintenancePaymentTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    project = RelatedColumn(verbose_name="维修项目", order_by="project__title")
    paid_on = DateColumn(verbose_name="付款日期")
    amount = MoneyColumn(verbose_name="金额（元）")
    note = tables.Column(verbose_name="说明")
    actions = ActionsColumn()

    default_columns = ("id", "project", "paid_on", "amount", "note")

    class Meta(BaseTable.Meta):
        model = MaintenancePayment
        fields = ()
        sequence = ("id", "project", "paid_on", "amount", "note", "actions")


class ThreeYearPlanTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    title = LinkedColumn(verbose_name="规划名称")
    region = RelatedColumn(verbose_name="区划", display="name", order_by="region__code")
    start_year = tables.Column(verbose_name="起始年度")
    state = tables.Column(verbose_name="状态")
    case = RelatedColumn(verbose_name="审批事项", order_by="case__number")
    actions = ActionsColumn()

    default_columns = ("title", "region", "start_year", "state", "case")

    class Meta(BaseTable.Meta):
        model = ThreeYearPlan
        fields = ()
        sequence = ("id", "title", "region", "start_year", "state", "case", "actions")


class PlanProposalTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    title = LinkedColumn(verbose_name="维修内容")
    plan = RelatedColumn(verbose_name="规划", order_by="plan__start_year")
    building = RelatedColumn(verbose_name="楼座", order_by="building__name")
    organization = RelatedColumn(verbose_name="申报单位", order_by="organization__name")
    kind = tables.Column(verbose_name="项目类型")
    year = tables.Column(verbose_name="实施年度")
    estimate = MoneyColumn(verbose_name="估算（元）")
    condition = tables.Column(verbose_name="使用状况")
    rank = NumberColumn(verbose_name="排序")
    actions = ActionsColumn()

    default_columns = ("title", "building", "organization", "year", "estimate", "condition", "rank")

    class Meta(BaseTable.Meta):
        model = PlanProposal
        fields = ()
        sequence = (
            "id",
            "title",
            "plan",
            "building",
            "organization",
            "kind",
            "year",
            "estimate",
            "condition",
            "rank",
            "actions",
        )


class ServiceContractTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    target = PropertyColumn()
    provider = LinkedColumn(verbose_name="服务单位")
    scopes = tables.Column(verbose_name="服务内容", accessor="scopes_label", orderable=False)
    organization = RelatedColumn(verbose_name="委托单位", order_by="organization__name")
    area = AreaColumn(verbose_name="服务面积（m²）")
    price = tables.Column(verbose_name="单价")
    annual_amount = MoneyColumn(verbose_name="年度金额（元）")
    start_on = DateColumn(verbose_name="起始日期")
    end_on = DateColumn(verbose_name="终止日期")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")
    actions = ActionsColumn()

    default_columns = ("target", "provider", "scopes", "area", "price", "annual_amount", "end_on")

    class Meta(BaseTable.Meta):
        model = ServiceContract
        fields = ()
        sequence = (
            "id",
            "target",
            "provider",
            "scopes",
            "organization",
            "area",
            "price",
            "annual_amount",
            "start_on",
            "end_on",
            "region",
            "actions",
        )

    def render_price(self, record):
        return f"{record.price} {record.get_price_period_display()}"


class BudgetTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    organization = RelatedColumn(verbose_name="预算单位", order_by="organization__name")
    compound = RelatedColumn(verbose_name="院落", order_by="compound__name")
    year = LinkedColumn(verbose_name="年度")
    item = tables.Column(verbose_name="项目")
    planned = MoneyColumn(verbose_name="预算金额（元）")
    note = tables.Column(verbose_name="备注")
    actions = ActionsColumn()

    default_columns = ("organization", "compound", "year", "item", "planned")

    class Meta(BaseTable.Meta):
        model = Budget
        fields = ()
        sequence = ("id", "organization", "compound", "year", "item", "planned", "note", "actions")


class ExpenseTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    organization = RelatedColumn(verbose_name="支出单位", order_by="organization__name")
    compound = RelatedColumn(verbose_name="院落", order_by="compound__name")
    item = tables.Column(verbose_name="项目")
    spent_on = DateColumn(verbose_name="支出日期")
    amount = MoneyColumn(verbose_name="金额（元）")
    note = tables.Column(verbose_name="说明")
    actions = ActionsColumn()

    default_columns = ("id", "organization", "compound", "item", "spent_on", "amount", "note")

    class Meta(BaseTable.Meta):
        model = Expense
        fields = ()
        sequence = (
            "id",
            "organization",
            "compound",
            "item",
            "spent_on",
            "amount",
            "note",
            "actions",
        )


class StageRequirementTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    region = RelatedColumn(verbose_name="适用区划", order_by="region__name", default="全国")
    stage = LinkedColumn(verbose_name="环节")
    project_kind = tables.Column(verbose_name="项目类型")
    label = tables.Column(verbose_name="资料名称")
    category = tables.Column(verbose_name="档案类别")
    count = NumberColumn(verbose_name="份数")
    source = tables.Column(verbose_name="依据")
    effective_from = DateColumn(verbose_name="生效日期")
    effective_to = DateColumn(verbose_name="有效期至")
    actions = ActionsColumn()

    default_columns = ("region", "stage", "project_kind", "label", "category", "count", "source")

    class Meta(BaseTable.Meta):
        model = StageRequirement
        fields = ()
        sequence = (
            "id",
            "region",
            "stage",
            "project_kind",
            "label",
            "category",
            "count",
            "source",
            "effective_from",
            "effective_to",
            "actions",
        )

    def render_category(self, value):
        from .gates import category_name

        return category_name(value)
