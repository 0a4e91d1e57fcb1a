"""List tables of the holiday calendar."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from ..models import CalendarDay, CalendarDayKind, HolidayYear
from ..tables import ActionsColumn, BaseTable, DateColumn, LinkedColumn, NumberColumn

KIND_BADGES = {
    CalendarDayKind.HOLIDAY: "bg-red-lt",
    CalendarDayKind.MAKEUP_WORKDAY: "bg-orange-lt",
}


class HolidayYearTable(BaseTable):
    year = LinkedColumn(verbose_name="年份")
    state = tables.Column(verbose_name="状态")
    source = tables.Column(verbose_name="依据", attrs={"td": {"class": "gf-cal-source"}})
    announced_on = DateColumn(verbose_name="公布日期")
    holiday_count = NumberColumn(verbose_name="节假日天数", orderable=False)
    makeup_count = NumberColumn(verbose_name="调休天数", orderable=False)
    actions = ActionsColumn()

    default_columns = ("year", "state", "holiday_count", "makeup_count", "source", "announced_on")

    class Meta(BaseTable.Meta):
        model = HolidayYear
        fields = ()
        sequence = (
            "id",
            "year",
            "state",
            "holiday_count",
            "makeup_count",
            "source",
            "announced_on",
            "actions",
        )

    def render_year(self, record):
        return format_html('<a href="{}">{}年</a>', record.get_absolute_url(), record.year)

    def render_state(self, record):
        css = "bg-green-lt" if record.is_announced else "bg-secondary-lt"
        return format_html('<span class="badge {}">{}</span>', css, record.get_state_display())


class CalendarDayTable(BaseTable):
    date = LinkedColumn(verbose_name="日期")
    weekday = tables.Column(verbose_name="星期", accessor="date", orderable=False, empty_values=())
    kind = tables.Column(verbose_name="类型")
    name = tables.Column(verbose_name="节日")
    year = tables.Column(verbose_name="年份", linkify=True)
    actions = ActionsColumn()

    default_columns = ("date", "weekday", "kind", "name", "year")

    class Meta(BaseTable.Meta):
        model = CalendarDay
        fields = ()
        sequence = ("id", "date", "weekday", "kind", "name", "year", "actions")

    def render_date(self, record):
        return format_html(
            '<a href="{}">{}</a>', record.get_absolute_url(), f"{record.date:%Y-%m-%d}"
        )

    def render_weekday(self, record):
        return record.weekday_label

    def render_kind(self, record):
        css = KIND_BADGES.get(record.kind, "bg-secondary-lt")
        return format_html('<span class="badge {}">{}</span>', css, record.get_kind_display())

    def render_year(self, record):
        return format_html(
            '<a href="{}">{}年</a>', record.year.get_absolute_url(), record.year.year
        )
