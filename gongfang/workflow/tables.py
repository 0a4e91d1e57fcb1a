"""Tables of the approval engine: cases and process definitions."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..framework import clock
from ..framework.tables import BaseTable, DateColumn, RelatedColumn
from .choices import PENDING_STATES, CaseState
from .models import Case, ProcessDefinition

STATE_CSS = {
    CaseState.DRAFT: "bg-secondary-lt",
    CaseState.SUBMITTED: "bg-blue-lt",
    CaseState.IN_REVIEW: "bg-azure-lt",
    CaseState.RETURNED: "bg-yellow-lt",
    CaseState.REJECTED: "bg-red-lt",
    CaseState.WITHDRAWN: "bg-secondary-lt",
    CaseState.APPROVED: "bg-teal-lt",
    CaseState.APPLIED: "bg-green-lt",
}


def is_overdue(case: Case, today=None) -> bool:
    return bool(
        case.state in PENDING_STATES and case.deadline and case.deadline < (today or clock.today())
    )


def case_state_badge(case: Case) -> str:
    badge = format_html(
        '<span class="badge {}">{}</span>', STATE_CSS.get(case.state, ""), case.get_state_display()
    )
    if is_overdue(case):
        badge += mark_safe(' <span class="badge bg-red text-red-fg">逾期</span>')
    return badge


class CaseTable(BaseTable):
    number = tables.Column(verbose_name="文号", linkify=True, empty_values=())
    kind = tables.Column(verbose_name="事项类型")
    title = tables.Column(
        verbose_name="事由", linkify=True, attrs={"td": {"class": "gf-wrap-wide"}}
    )
    applicant = RelatedColumn(verbose_name="申请单位", display="name", order_by="applicant__name")
    counterparty = RelatedColumn(
        verbose_name="对方单位", display="name", order_by="counterparty__name"
    )
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")
    state = tables.Column(verbose_name="状态")
    deadline = DateColumn(verbose_name="办理期限", format="Y-m-d")
    submitted_at = DateColumn(verbose_name="提交时间", format="Y-m-d H:i")
    decided_at = DateColumn(verbose_name="办结时间", format="Y-m-d H:i")
    effective_on = DateColumn(verbose_name="生效日期", format="Y-m-d")
    created_at = DateColumn(verbose_name="创建时间", format="Y-m-d H:i")

    default_columns = (
        "number",
        "kind",
        "title",
        "applicant",
        "state",
        "deadline",
        "submitted_at",
    )

    class Meta(BaseTable.Meta):
        model = Case
        fields = ()
        sequence = ("id", "number", "kind", "title", "applicant", "state")

    def render_number(self, record):
        return format_html(
            '<a href="{}">{}</a>', record.get_absolute_url(), record.number or "（未编号）"
        )

    def render_state(self, record):
        return case_state_badge(record)


class ProcessDefinitionTable(BaseTable):
    name = tables.Column(verbose_name="流程名称", linkify=True)
    kind = tables.Column(verbose_name="事项类型")
    region = tables.Column(
        verbose_name="适用区划", order_by="region__path", default="全国", empty_values=(None,)
    )
    revision = tables.Column(verbose_name="修订号")
    number_prefix = tables.Column(verbose_name="文号前缀")
    effective_from = DateColumn(verbose_name="生效日期", format="Y-m-d")
    is_active = tables.BooleanColumn(verbose_name="启用", yesno="是,否")
    source = tables.Column(verbose_name="依据", attrs={"td": {"class": "text-wrap"}})

    default_columns = (
        "name",
        "kind",
        "region",
        "revision",
        "number_prefix",
        "effective_from",
        "is_active",
    )

    class Meta(BaseTable.Meta):
        model = ProcessDefinition
        fields = ()
        sequence = ("id", "name", "kind", "region", "revision")

    def render_region(self, record):
        return record.region.name if record.region_id else "全国"
