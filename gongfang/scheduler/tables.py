"""The schedule page's table."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from ..framework.tables import ActionsColumn, BaseTable, LinkedColumn, NumberColumn
from .models import RunResult, ScheduledJob

RESULT_BADGES = {
    RunResult.SUCCESS: "bg-green-lt",
    RunResult.FAILURE: "bg-red-lt",
    RunResult.RUNNING: "bg-blue-lt",
    RunResult.QUEUED: "bg-secondary-lt",
}


def result_badge(job: ScheduledJob):
    if not job.last_result:
        return "—"
    return format_html(
        '<span class="badge {}">{}</span>',
        RESULT_BADGES[job.last_result],
        job.get_last_result_display(),
    )


class ScheduledJobTable(BaseTable):
    name = LinkedColumn(verbose_name="任务名称")
    key = tables.Column(verbose_name="任务标识")
    schedule = tables.Column(
        verbose_name="计划", accessor="schedule_label", order_by=("kind", "time_of_day")
    )
    enabled = tables.BooleanColumn(verbose_name="启用", yesno="是,否")
    last_run_at = tables.DateTimeColumn(verbose_name="上次运行", format="Y-m-d H:i")
    last_result = tables.Column(verbose_name="上次结果")
    last_duration = NumberColumn(verbose_name="用时（秒）")
    last_message = tables.Column(verbose_name="上次运行情况", orderable=False)
    next_run_at = tables.DateTimeColumn(verbose_name="下次运行", format="Y-m-d H:i")
    actions = ActionsColumn()

    default_columns = (
        "name",
        "schedule",
        "enabled",
        "last_run_at",
        "last_result",
        "last_duration",
        "next_run_at",
    )

    class Meta(BaseTable.Meta):
        model = ScheduledJob
        fields = ()
        sequence = (
            "id",
            "name",
            "key",
            "schedule",
            "enabled",
            "last_run_at",
            "last_result",
            "last_duration",
            "last_message",
            "next_run_at",
            "actions",
        )

    def render_last_result(self, record):
        return result_badge(record)

    def render_last_duration(self, value):
        return f"{value:,.2f}"
