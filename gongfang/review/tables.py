"""List-page tables of the data review."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from ..framework.tables import ActionsColumn, BaseTable, DateColumn, LinkedColumn, RelatedColumn
from .models import Assignment, Finding, FindingState, RequiredField, Review

STATE_COLOURS = {
    FindingState.OPEN: "bg-red-lt",
    FindingState.RETURNED: "bg-orange-lt",
    FindingState.RECTIFIED: "bg-blue-lt",
    FindingState.CLOSED: "bg-green-lt",
}


def state_badge(finding: Finding) -> str:
    return format_html(
        '<span class="badge {}">{}</span>',
        STATE_COLOURS.get(finding.state, ""),
        finding.get_state_display(),
    )


class RequiredFieldTable(BaseTable):
    label = LinkedColumn(verbose_name="字段名称")
    model = tables.Column(verbose_name="对象类型")
    field = tables.Column(verbose_name="字段")
    condition = tables.Column(verbose_name="条件", orderable=False)
    condition_label = tables.Column(verbose_name="适用条件")
    version = tables.Column(verbose_name="版本")
    source = tables.Column(verbose_name="依据")
    effective_from = DateColumn(verbose_name="生效日期")
    effective_to = DateColumn(verbose_name="失效日期")
    actions = ActionsColumn()

    default_columns = ("label", "model", "condition_label", "version", "source", "effective_from")

    class Meta(BaseTable.Meta):
        model = RequiredField
        fields = ()
        sequence = ("id", "label", "model", "field", "condition_label", "version", "source")

    def render_field(self, record: RequiredField) -> str:
        return record.display_field()

    def render_condition(self, record: RequiredField) -> str:
        return record.display_condition()


class ReviewTable(BaseTable):
    name = LinkedColumn(verbose_name="会审名称")
    region = RelatedColumn(verbose_name="会审区划", order_by="region__code")
    starts_on = DateColumn(verbose_name="开始日期")
    ends_on = DateColumn(verbose_name="结束日期")
    state = tables.Column(verbose_name="状态")
    actions = ActionsColumn()

    default_columns = ("name", "region", "starts_on", "ends_on", "state")

    class Meta(BaseTable.Meta):
        model = Review
        fields = ()
        sequence = ("id", "name", "region", "starts_on", "ends_on", "state")


class AssignmentTable(BaseTable):
    id = tables.Column(verbose_name="编号", linkify=True)
    review = RelatedColumn(verbose_name="数据会审", order_by="review__name")
    reviewed_organization = RelatedColumn(
        verbose_name="被审单位", order_by="reviewed_organization__name"
    )
    reviewer_organization = RelatedColumn(
        verbose_name="审核单位", order_by="reviewer_organization__name"
    )
    reviewer = tables.Column(verbose_name="审核人", accessor="reviewer__name")
    actions = ActionsColumn()

    default_columns = ("id", "review", "reviewed_organization", "reviewer_organization", "reviewer")

    class Meta(BaseTable.Meta):
        model = Assignment
        fields = ()
        sequence = ("id", "review", "reviewed_organization", "reviewer_organization")


class FindingTable(BaseTable):
    subject_label = LinkedColumn(verbose_name="对象")
    problem = tables.Column(verbose_name="问题")
    organization = RelatedColumn(verbose_name="责任单位", order_by="organization__name")
    source = tables.Column(verbose_name="来源")
    severity = tables.Column(verbose_name="严重程度")
    state = tables.Column(verbose_name="状态")
    review = RelatedColumn(verbose_name="数据会审", order_by="review__name")
    created_at = DateColumn(verbose_name="发现日期")

    default_columns = ("subject_label", "problem", "organization", "source", "state", "created_at")

    class Meta(BaseTable.Meta):
        model = Finding
        fields = ()
        sequence = ("id", "subject_label", "problem", "organization", "source", "severity", "state")

    def render_problem(self, value: str) -> str:
        return value if len(value) <= 60 else f"{value[:60]}…"

    def render_state(self, record: Finding) -> str:
        return state_badge(record)
