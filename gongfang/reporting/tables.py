"""Tables of reporting's generic list pages."""

from __future__ import annotations

import django_tables2 as tables

from ..framework.tables import ActionsColumn, BaseTable, LinkedColumn, RelatedColumn
from .models import EvaluationIndicator, ReportForm


class ReportFormTable(BaseTable):
    name = LinkedColumn(verbose_name="报表名称")
    year = tables.Column(verbose_name="适用年度")
    number = tables.Column(verbose_name="版本号")
    region = RelatedColumn(verbose_name="所属区划", display="name", order_by="region__code")
    source = tables.Column(verbose_name="依据")

    default_columns = ("name", "year", "number", "region", "source")

    class Meta(BaseTable.Meta):
        model = ReportForm
        fields = ()
        sequence = ("id", "name", "year", "number", "region", "source")


class EvaluationIndicatorTable(BaseTable):
    code = tables.Column(verbose_name="指标编号")
    name = LinkedColumn(verbose_name="指标名称")
    kind = tables.Column(verbose_name="计分方式")
    points = tables.Column(verbose_name="分值")
    active = tables.BooleanColumn(verbose_name="启用")
    actions = ActionsColumn()

    default_columns = ("name", "kind", "points", "active")

    class Meta(BaseTable.Meta):
        model = EvaluationIndicator
        fields = ()
        sequence = ("id", "code", "name", "kind", "points", "active", "actions")
