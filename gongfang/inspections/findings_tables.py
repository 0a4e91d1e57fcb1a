"""List-page tables of findings, rectifications, re-checks, urges and referrals."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..framework import clock
from ..framework.tables import BaseTable, DateColumn, RelatedColumn
from .choices import FindingState
from .findings import is_overdue
from .models import Finding, Recheck, Rectification, Referral, Urge

STATE_CSS = {
    FindingState.OPEN: "bg-red-lt",
    FindingState.RESPONDED: "bg-yellow-lt",
    FindingState.CLOSED: "bg-green-lt",
    FindingState.REOPENED: "bg-orange-lt",
    FindingState.REFERRED: "bg-purple-lt",
}


def finding_state_badge(finding: Finding, today=None) -> str:
    badge = format_html(
        '<span class="badge {}">{}</span>',
        STATE_CSS.get(finding.state, ""),
        finding.get_state_display(),
    )
    if is_overdue(finding, today):
        badge += mark_safe(' <span class="badge bg-red text-red-fg">逾期</span>')
    return badge


class FindingTable(BaseTable):
    description = tables.Column(
        verbose_name="问题", linkify=True, attrs={"td": {"class": "text-wrap gf-summary"}}
    )
    organization = RelatedColumn(
        verbose_name="责任单位", display="name", order_by="organization__name"
    )
    item = tables.Column(verbose_name="检查内容", order_by=("item__target", "item__aspect"))
    subject_label = tables.Column(verbose_name="涉及对象")
    rectification_kind = tables.Column(verbose_name="整改方式")
    deadline = DateColumn(verbose_name="整改期限")
    state = tables.Column(verbose_name="状态")
    warning = tables.Column(verbose_name="关联预警", order_by="warning__rule")
    inspection = tables.Column(verbose_name="来源", order_by="inspection__plan__title")
    created_at = DateColumn(verbose_name="发现日期")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")

    default_columns = (
        "description",
        "organization",
        "item",
        "rectification_kind",
        "deadline",
        "state",
        "created_at",
    )

    class Meta(BaseTable.Meta):
        model = Finding
        fields = ()
        sequence = (
            "id",
            "description",
            "organization",
            "item",
            "subject_label",
            "rectification_kind",
            "deadline",
            "state",
            "warning",
            "inspection",
            "created_at",
            "region",
        )

    def render_description(self, value):
        return value if len(value) <= 60 else value[:59] + "…"

    def render_item(self, record):
        item = record.item
        return f"{item.get_target_display()}第{item.aspect}项 {item.title}"

    def render_state(self, record):
        today = self.__dict__.setdefault("_today", clock.today())
        return finding_state_badge(record, today)

    def render_warning(self, record):
        return format_html(
            '<a href="{}" class="badge bg-azure-lt">{}</a>',
            record.warning.get_absolute_url(),
            record.warning.rule,
        )

    def render_inspection(self, record):
        plan = record.inspection.plan
        return format_html('<a href="{}">{}</a>', record.inspection.get_absolute_url(), plan.title)


class RectificationTable(BaseTable):
    finding = tables.Column(verbose_name="督查问题", linkify=True)
    description = tables.Column(verbose_name="整改情况", attrs={"td": {"class": "text-wrap"}})
    responded_by = tables.Column(verbose_name="报告人", accessor="responded_by__name")
    responded_at = DateColumn(verbose_name="报告时间", format="Y-m-d H:i")

    default_columns = ("id", "finding", "description", "responded_by", "responded_at")

    class Meta(BaseTable.Meta):
        model = Rectification
        fields = ()
        sequence = ("id", "finding", "description", "responded_by", "responded_at")


class RecheckTable(BaseTable):
    finding = tables.Column(verbose_name="督查问题", linkify=True)
    result = tables.Column(verbose_name="复查结论")
    note = tables.Column(verbose_name="复查意见", attrs={"td": {"class": "text-wrap"}})
    by = tables.Column(verbose_name="复查人", accessor="by__name")
    on = DateColumn(verbose_name="复查日期")

    default_columns = ("id", "finding", "result", "note", "by", "on")

    class Meta(BaseTable.Meta):
        model = Recheck
        fields = ()
        sequence = ("id", "finding", "result", "note", "by", "on")


class UrgeTable(BaseTable):
    target = tables.Column(verbose_name="督办对象", empty_values=(), orderable=False)
    organization = RelatedColumn(
        verbose_name="被督办单位", display="name", order_by="organization__name"
    )
    message = tables.Column(verbose_name="督办意见", attrs={"td": {"class": "text-wrap"}})
    by = tables.Column(verbose_name="督办人", accessor="by__name")
    at = DateColumn(verbose_name="督办时间", format="Y-m-d H:i")

    default_columns = ("id", "target", "organization", "message", "by", "at")

    class Meta(BaseTable.Meta):
        model = Urge
        fields = ()
        sequence = ("id", "target", "organization", "message", "by", "at")

    def render_target(self, record):
        target = record.finding if record.finding_id else record.warning
        kind = "问题" if record.finding_id else "预警"
        return format_html('{}：<a href="{}">{}</a>', kind, target.get_absolute_url(), target)


class ReferralTable(BaseTable):
    organization = RelatedColumn(
        verbose_name="涉及单位", display="name", order_by="organization__name"
    )
    count = tables.Column(verbose_name="问题数", accessor="finding_count", orderable=False)
    referred_on = DateColumn(verbose_name="移交日期")
    recipient = tables.Column(verbose_name="接收机关")
    outcome_on = DateColumn(verbose_name="结果日期")
    outcome = tables.Column(verbose_name="处理结果", attrs={"td": {"class": "text-wrap"}})

    default_columns = ("id", "organization", "count", "referred_on", "recipient", "outcome_on")

    class Meta(BaseTable.Meta):
        model = Referral
        fields = ()
        sequence = ("id", "organization", "count", "referred_on", "recipient", "outcome_on")
