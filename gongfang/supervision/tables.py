"""List-page tables of supervision."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from ..framework.tables import ActionsColumn, BaseTable, DateColumn, LinkedColumn, RelatedColumn
from .models import Anomaly, RegionArea, RuleVersion, ScanNote

STATE_COLORS = {
    "open": "orange",
    "confirmed": "red",
    "explained": "azure",
    "dismissed": "secondary",
}


class AnomalyTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    occurred_at = DateColumn(verbose_name="发生时间", format="Y-m-d H:i")
    rule = tables.Column(verbose_name="规则")
    vehicle = RelatedColumn(verbose_name="车辆", display="plate", order_by="vehicle__plate")
    organization = RelatedColumn(verbose_name="所属单位", order_by="organization__name")
    summary = LinkedColumn(verbose_name="情况")
    state = tables.Column(verbose_name="状态")
    found_at = DateColumn(verbose_name="发现时间", format="Y-m-d H:i")

    default_columns = ("id", "occurred_at", "rule", "vehicle", "organization", "summary", "state")

    class Meta(BaseTable.Meta):
        model = Anomaly
        fields = ()
        sequence = (
            "id",
            "occurred_at",
            "rule",
            "vehicle",
            "organization",
            "summary",
            "state",
            "found_at",
        )

    def render_state(self, record):
        color = STATE_COLORS.get(record.state, "secondary")
        return format_html(
            '<span class="badge bg-{}-lt">{}</span>', color, record.get_state_display()
        )


class RuleVersionTable(BaseTable):
    rule = LinkedColumn(verbose_name="规则")
    kind = tables.Column(verbose_name="类别")
    region = RelatedColumn(verbose_name="适用区划", display="name")
    number = tables.Column(verbose_name="版本号")
    enabled = tables.BooleanColumn(verbose_name="启用", yesno="是,否")
    parameters = tables.Column(verbose_name="参数", orderable=False, empty_values=())
    effective_from = DateColumn(verbose_name="生效日期")
    effective_to = DateColumn(verbose_name="有效期至")
    source = tables.Column(verbose_name="依据")

    default_columns = (
        "rule",
        "kind",
        "region",
        "number",
        "enabled",
        "parameters",
        "effective_from",
        "effective_to",
    )

    class Meta(BaseTable.Meta):
        model = RuleVersion
        fields = ()
        sequence = (
            "id",
            "rule",
            "kind",
            "region",
            "number",
            "enabled",
            "parameters",
            "effective_from",
            "effective_to",
            "source",
        )

    def render_parameters(self, record):
        return "；".join(record.parameter_lines())


class RegionAreaTable(BaseTable):
    region = LinkedColumn(verbose_name="区划", linkify=lambda record: record.get_absolute_url())
    kind = tables.Column(verbose_name="类型")
    south = tables.Column(verbose_name="南界纬度")
    west = tables.Column(verbose_name="西界经度")
    north = tables.Column(verbose_name="北界纬度")
    east = tables.Column(verbose_name="东界经度")
    source = tables.Column(verbose_name="来源")
    actions = ActionsColumn()

    default_columns = ("region", "kind", "south", "west", "north", "east", "source")

    class Meta(BaseTable.Meta):
        model = RegionArea
        fields = ()
        sequence = ("id", "region", "kind", "south", "west", "north", "east", "source", "actions")


class ScanNoteTable(BaseTable):
    noted_at = DateColumn(verbose_name="记录时间", format="Y-m-d H:i")
    rule = tables.Column(verbose_name="规则")
    vehicle = RelatedColumn(verbose_name="车辆", display="plate", order_by="vehicle__plate")
    organization = RelatedColumn(verbose_name="所属单位", order_by="organization__name")
    text = tables.Column(verbose_name="情况")

    default_columns = ("noted_at", "rule", "vehicle", "organization", "text")

    class Meta(BaseTable.Meta):
        model = ScanNote
        fields = ()
        sequence = ("id", "noted_at", "rule", "vehicle", "organization", "text")
