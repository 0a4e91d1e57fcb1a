"""List-page tables of inspections."""

from __future__ import annotations

import django_tables2 as tables

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
    AssessmentDate,
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionPlan,
    ItemCheck,
    Measurement,
    Tip,
)


def own_page(record) -> str:
    """Link a cell to its row's own page (not to the related object it shows)."""
    return record.get_absolute_url()


class ChecklistTable(BaseTable):
    revision = LinkedColumn(verbose_name="版本号")
    effective_from = DateColumn(verbose_name="施行日期")
    source = tables.Column(verbose_name="依据")
    item_count = NumberColumn(
        verbose_name="检查内容（项）", orderable=False, accessor="items__count"
    )
    actions = ActionsColumn()

    default_columns = ("revision", "effective_from", "source", "item_count")

    class Meta(BaseTable.Meta):
        model = Checklist
        fields = ()
        sequence = ("id", "revision", "effective_from", "source", "item_count", "actions")


class ChecklistItemTable(BaseTable):
    checklist = RelatedColumn(verbose_name="督查清单", order_by="checklist__revision")
    target = tables.Column(verbose_name="督查对象")
    aspect = NumberColumn(verbose_name="序号")
    title = LinkedColumn(verbose_name="检查内容")
    rules = tables.Column(verbose_name="关联规则", orderable=False)
    source = tables.Column(verbose_name="出处")
    actions = ActionsColumn()

    default_columns = ("checklist", "target", "aspect", "title", "rules")

    class Meta(BaseTable.Meta):
        model = ChecklistItem
        fields = ()
        sequence = ("id", "checklist", "target", "aspect", "title", "rules", "source", "actions")

    def render_rules(self, value):
        return "、".join(value) if value else "—"


class AssessmentDateTable(BaseTable):
    region = RelatedColumn(verbose_name="行政区划", display="name", order_by="region__code")
    year = LinkedColumn(verbose_name="年度")
    assessed_on = DateColumn(verbose_name="考核日期")
    source = tables.Column(verbose_name="依据")
    actions = ActionsColumn()

    default_columns = ("region", "year", "assessed_on", "source")

    class Meta(BaseTable.Meta):
        model = AssessmentDate
        fields = ()
        sequence = ("id", "region", "year", "assessed_on", "source", "actions")


class InspectionPlanTable(BaseTable):
    title = LinkedColumn(verbose_name="计划名称")
    kind = tables.Column(verbose_name="检查类型")
    year = tables.Column(verbose_name="年度")
    region = RelatedColumn(verbose_name="行政区划", display="name", order_by="region__code")
    start_on = DateColumn(verbose_name="开始日期")
    end_on = DateColumn(verbose_name="结束日期")
    deadline = DateColumn(verbose_name="完成期限")
    state = tables.Column(verbose_name="状态")
    checklist = RelatedColumn(verbose_name="督查清单", order_by="checklist__revision")
    actions = ActionsColumn()

    default_columns = ("title", "kind", "year", "region", "start_on", "deadline", "state")

    class Meta(BaseTable.Meta):
        model = InspectionPlan
        fields = ()
        sequence = (
            "id",
            "title",
            "kind",
            "year",
            "region",
            "start_on",
            "end_on",
            "deadline",
            "state",
            "checklist",
            "actions",
        )


class InspectionTable(BaseTable):
    organization = tables.Column(
        verbose_name="被检查单位", linkify=own_page, order_by="organization__name"
    )
    plan = RelatedColumn(verbose_name="督查计划", order_by="plan__title")
    kind = tables.Column(
        verbose_name="检查类型", accessor="plan__get_kind_display", orderable=False
    )
    scheduled_on = DateColumn(verbose_name="检查日期")
    state = tables.Column(verbose_name="状态")
    finished_at = DateColumn(verbose_name="完成时间", format="Y-m-d H:i")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")

    default_columns = ("organization", "plan", "scheduled_on", "state", "finished_at")

    class Meta(BaseTable.Meta):
        model = Inspection
        fields = ()
        sequence = (
            "id",
            "organization",
            "plan",
            "kind",
            "scheduled_on",
            "state",
            "finished_at",
            "region",
        )


class ItemCheckTable(BaseTable):
    inspection = RelatedColumn(verbose_name="督查检查", order_by="inspection__pk")
    item = tables.Column(
        verbose_name="检查内容", linkify=own_page, order_by=("item__target", "item__aspect")
    )
    result = tables.Column(verbose_name="检查结果")
    note = tables.Column(verbose_name="情况说明")
    checked_at = DateColumn(verbose_name="检查时间", format="Y-m-d H:i")

    default_columns = ("inspection", "item", "result", "note", "checked_at")

    class Meta(BaseTable.Meta):
        model = ItemCheck
        fields = ()
        sequence = ("id", "inspection", "item", "result", "note", "checked_at")


class MeasurementTable(BaseTable):
    room = tables.Column(verbose_name="房间", linkify=own_page, order_by="room__number")
    inspection = RelatedColumn(verbose_name="督查检查", order_by="inspection__pk")
    registered_area = AreaColumn(verbose_name="登记使用面积（m²）")
    measured_area = AreaColumn(verbose_name="实测使用面积（m²）")
    state = tables.Column(verbose_name="状态")
    measured_at = DateColumn(verbose_name="测量时间", format="Y-m-d H:i")
    reject_reason = tables.Column(verbose_name="退回理由")

    default_columns = (
        "room",
        "inspection",
        "registered_area",
        "measured_area",
        "state",
        "measured_at",
    )

    class Meta(BaseTable.Meta):
        model = Measurement
        fields = ()
        sequence = (
            "id",
            "room",
            "inspection",
            "registered_area",
            "measured_area",
            "state",
            "measured_at",
            "reject_reason",
        )


class TipTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    source = tables.Column(verbose_name="线索来源")
    received_on = DateColumn(verbose_name="受理日期")
    organization = RelatedColumn(verbose_name="涉及单位", order_by="organization__name")
    subject_label = tables.Column(verbose_name="涉及对象")
    content = tables.Column(verbose_name="反映内容", linkify=own_page)
    assigned_to = tables.Column(verbose_name="承办人", order_by="assigned_to__name")
    deadline = DateColumn(verbose_name="办理期限")
    state = tables.Column(verbose_name="状态")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")
    actions = ActionsColumn()

    default_columns = (
        "id",
        "source",
        "received_on",
        "organization",
        "content",
        "assigned_to",
        "deadline",
        "state",
    )

    class Meta(BaseTable.Meta):
        model = Tip
        fields = ()
        sequence = (
            "id",
            "source",
            "received_on",
            "organization",
            "subject_label",
            "content",
            "assigned_to",
            "deadline",
            "state",
            "region",
            "actions",
        )

    def render_content(self, value):
        return value if len(value) <= 40 else f"{value[:40]}…"

    def render_assigned_to(self, value):
        return value.name or value.username
