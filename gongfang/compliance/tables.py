"""The warning centre's table."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from ..framework.tables import AreaColumn, BaseTable, DateColumn, RelatedColumn
from .models import State, Warning

STATE_CSS = {
    State.OPEN: "bg-red-lt",
    State.RECTIFYING: "bg-yellow-lt",
    State.RESOLVED: "bg-green-lt",
    State.DEFERRED: "bg-secondary-lt",
    State.FILED: "bg-blue-lt",
}


def state_badge(warning: Warning) -> str:
    badge = format_html(
        '<span class="badge {}">{}</span>',
        STATE_CSS.get(warning.state, ""),
        warning.get_state_display(),
    )
    if warning.is_overdue:
        badge += format_html(' <span class="badge bg-red text-red-fg">逾期</span>')
    return badge


class WarningTable(BaseTable):
    # Warnings are opened, resolved and moved on with an event in the change log each.
    count_cached = True

    rule = tables.Column(verbose_name="规则")
    subject_label = tables.Column(
        verbose_name="对象", linkify=True, attrs={"td": {"class": "text-wrap"}}
    )
    summary = tables.Column(
        verbose_name="情况", orderable=False, attrs={"td": {"class": "text-wrap gf-summary"}}
    )
    organization = RelatedColumn(verbose_name="单位", display="name", order_by="organization__name")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")
    state = tables.Column(verbose_name="状态")
    excess_area = AreaColumn(verbose_name="超标面积（m²）")
    mode = tables.Column(verbose_name="整改方式")
    deadline = DateColumn(verbose_name="整改期限", format="Y-m-d")
    first_found_at = DateColumn(verbose_name="首次发现", format="Y-m-d")
    last_checked_at = DateColumn(verbose_name="最近核查", format="Y-m-d H:i")
    reopened_count = tables.Column(verbose_name="重新出现")

    default_columns = (
        "rule",
        "subject_label",
        "summary",
        "organization",
        "state",
        "excess_area",
        "first_found_at",
    )

    class Meta(BaseTable.Meta):
        model = Warning
        fields = ()
        sequence = ("id", "rule", "subject_label", "summary", "organization", "region", "state")

    def render_rule(self, record):
        return format_html(
            '<span class="badge bg-azure-lt" title="{}">{}</span>',
            record.get_rule_display(),
            record.rule,
        )

    def render_state(self, record):
        return state_badge(record)
