"""Tables of survey's list pages; an item beyond the area tolerance is shown in red."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from ..accounts.roles import Role
from ..framework.tables import (
    ActionsColumn,
    AreaColumn,
    BaseTable,
    DateColumn,
    LinkedColumn,
    NumberColumn,
    RelatedColumn,
)
from .models import BatchState, Decision, ItemKind, SurveyBatch, SurveyDrawing, SurveyItem

STATE_CSS = {
    BatchState.SURVEYING: "bg-blue-lt",
    BatchState.CONFIRMING: "bg-yellow-lt",
    BatchState.RETURNED: "bg-orange-lt",
    BatchState.SIGNING: "bg-azure-lt",
    BatchState.APPLIED: "bg-green-lt",
    BatchState.REVERTED: "bg-secondary-lt",
}
KIND_CSS = {ItemKind.MATCHED: "", ItemKind.NEW: "bg-blue-lt", ItemKind.MISSING: "bg-orange-lt"}
DECISION_CSS = {
    Decision.PENDING: "text-secondary",
    Decision.CONFIRMED: "text-green",
    Decision.DISPUTED: "text-red fw-bold",
}


class StateColumn(tables.Column):
    def render(self, value, record):
        return format_html(
            '<span class="badge {}">{}</span>', STATE_CSS.get(record.state, ""), value
        )


class KindColumn(tables.Column):
    def render(self, value, record):
        return format_html('<span class="badge {}">{}</span>', KIND_CSS.get(record.kind, ""), value)


class DecisionColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        code = getattr(record, self.accessor)
        if self.accessor == "unit_decision" and not record.organization_id:
            return format_html('<span class="text-secondary">{}</span>', "管理局代")
        return format_html(
            '<span class="{}">{}</span>', DECISION_CSS.get(code, ""), Decision(code).label
        )


class SurveyBatchTable(BaseTable):
    name = LinkedColumn(verbose_name="批次名称")
    region = RelatedColumn(verbose_name="区划", display="name", order_by="region__code")
    company = tables.Column(verbose_name="测绘单位")
    responsible = tables.Column(verbose_name="责任人")
    planned_start = DateColumn(verbose_name="计划开始")
    planned_end = DateColumn(verbose_name="计划完成")
    state = StateColumn(verbose_name="状态")
    applied_at = DateColumn(verbose_name="入账时间", format="Y-m-d H:i")
    actions = ActionsColumn()

    default_columns = ("name", "region", "company", "planned_start", "planned_end", "state")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user is not None and not user.has_role(Role.BUREAU_ADMIN):
            self.columns.hide("actions")  # the plan is the bureau's; others act on its page

    class Meta(BaseTable.Meta):
        model = SurveyBatch
        fields = ()
        sequence = (
            "id",
            "name",
            "region",
            "company",
            "responsible",
            "planned_start",
            "planned_end",
            "state",
            "applied_at",
            "actions",
        )


class SurveyDrawingTable(BaseTable):
    floor = RelatedColumn(verbose_name="楼层", order_by="floor__number")
    batch = RelatedColumn(verbose_name="测绘批次", order_by="batch__name")
    filename = LinkedColumn(verbose_name="文件名")
    format = tables.Column(verbose_name="格式")
    room_count = NumberColumn(verbose_name="识别房间")
    error_count = NumberColumn(verbose_name="错误")
    warning_count = NumberColumn(verbose_name="警告")
    uploaded_at = DateColumn(verbose_name="上传时间", format="Y-m-d H:i")

    default_columns = (
        "floor",
        "batch",
        "filename",
        "format",
        "room_count",
        "error_count",
        "warning_count",
        "uploaded_at",
    )

    class Meta(BaseTable.Meta):
        model = SurveyDrawing
        fields = ()
        sequence = (
            "id",
            "floor",
            "batch",
            "filename",
            "format",
            "room_count",
            "error_count",
            "warning_count",
            "uploaded_at",
        )
        row_attrs = {"class": lambda record: "table-danger" if record.error_count else ""}


class SurveyItemTable(BaseTable):
    number = LinkedColumn(verbose_name="房间号")
    name = tables.Column(verbose_name="房间名称")
    floor = RelatedColumn(verbose_name="楼层", order_by="floor__number")
    batch = RelatedColumn(verbose_name="测绘批次", order_by="batch__name")
    kind = KindColumn(verbose_name="核对结果")
    organization = RelatedColumn(
        verbose_name="确认单位", display="name", order_by="organization__name"
    )
    registered_area = AreaColumn(verbose_name="台账面积")
    drawn_area = AreaColumn(verbose_name="测绘面积")
    difference = AreaColumn(verbose_name="差额")
    ratio = tables.Column(verbose_name="差异比例", attrs={"td": {"class": "text-end"}})
    occupants = tables.Column(verbose_name="使用人")
    use = tables.Column(verbose_name="用途")
    unit_decision = DecisionColumn(verbose_name="单位")
    surveyor_decision = DecisionColumn(verbose_name="测绘单位")
    bureau_decision = DecisionColumn(verbose_name="管理局")
    dispute_reason = tables.Column(verbose_name="异议理由")

    default_columns = (
        "number",
        "name",
        "floor",
        "kind",
        "registered_area",
        "drawn_area",
        "difference",
        "ratio",
        "unit_decision",
        "surveyor_decision",
        "bureau_decision",
    )

    class Meta(BaseTable.Meta):
        model = SurveyItem
        fields = ()
        sequence = (
            "id",
            "number",
            "name",
            "floor",
            "batch",
            "kind",
            "organization",
            "registered_area",
            "drawn_area",
            "difference",
            "ratio",
            "occupants",
            "use",
            "unit_decision",
            "surveyor_decision",
            "bureau_decision",
            "dispute_reason",
        )
        row_attrs = {"class": lambda record: "table-danger" if record.beyond_tolerance else ""}

    def render_ratio(self, value) -> str:
        return f"{value * 100:.1f}%"
