"""List-page tables of the standards. Related columns read from the view's select_related."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from ..framework.tables import ActionsColumn, AreaColumn, BaseTable, LinkedColumn, RelatedColumn
from .models import (
    Clause,
    GradeEquivalence,
    OfficeLimit,
    RuleParameter,
    ServiceAllowance,
    StandardVersion,
    can_write_version,
)


class VersionActionsColumn(ActionsColumn):
    """Edit and delete only where the account may write the version (never a national one)."""

    def render(self, record, table):
        version = record if isinstance(record, StandardVersion) else record.version
        if not can_write_version(getattr(table, "user", None), version):
            return ""
        return super().render(record, table)


def kind_badge(version: StandardVersion):
    css = "bg-blue-lt" if version.is_national else "bg-green-lt"
    return format_html('<span class="badge {}">{}</span>', css, version.get_kind_display())


class StandardVersionTable(BaseTable):
    name = LinkedColumn(verbose_name="名称")
    kind = tables.Column(verbose_name="类别")
    region = RelatedColumn(verbose_name="适用区划", display="name", order_by="region__code")
    source = tables.Column(verbose_name="来源")
    effective_from = tables.DateColumn(verbose_name="生效日期", format="Y-m-d")
    effective_to = tables.DateColumn(verbose_name="有效期至", format="Y-m-d")
    actions = VersionActionsColumn()

    default_columns = ("name", "kind", "region", "source", "effective_from", "effective_to")

    class Meta(BaseTable.Meta):
        model = StandardVersion
        fields = ()
        sequence = (
            "id",
            "name",
            "kind",
            "region",
            "source",
            "effective_from",
            "effective_to",
            "actions",
        )

    def render_kind(self, record):
        return kind_badge(record)


class VersionRowTable(BaseTable):
    version = RelatedColumn(verbose_name="标准版本", order_by="version__name")
    clause = tables.Column(verbose_name="条款依据", orderable=False)
    actions = VersionActionsColumn()


class OfficeLimitTable(VersionRowTable):
    standard_level = LinkedColumn(verbose_name="标准层级")
    grade = tables.Column(verbose_name="职级")
    area = AreaColumn(verbose_name="使用面积上限（m²/人）")
    toilet_allowed = tables.BooleanColumn(verbose_name="可配卫生间", yesno="是,否")

    default_columns = ("version", "standard_level", "grade", "area", "toilet_allowed")

    class Meta(BaseTable.Meta):
        model = OfficeLimit
        fields = ()
        sequence = (
            "id",
            "version",
            "standard_level",
            "grade",
            "area",
            "toilet_allowed",
            "clause",
            "actions",
        )


class GradeEquivalenceTable(VersionRowTable):
    rank_title = LinkedColumn(verbose_name="职级名称")
    grade = tables.Column(verbose_name="对应职级")

    default_columns = ("version", "rank_title", "grade")

    class Meta(BaseTable.Meta):
        model = GradeEquivalence
        fields = ()
        sequence = ("id", "version", "rank_title", "grade", "clause", "actions")


class ServiceAllowanceTable(VersionRowTable):
    standard_level = LinkedColumn(verbose_name="标准层级")
    per_capita = AreaColumn(verbose_name="人均使用面积（m²）")

    default_columns = ("version", "standard_level", "per_capita", "clause")

    class Meta(BaseTable.Meta):
        model = ServiceAllowance
        fields = ()
        sequence = ("id", "version", "standard_level", "per_capita", "clause", "actions")


class RuleParameterTable(VersionRowTable):
    key = LinkedColumn(verbose_name="参数")
    value = tables.Column(verbose_name="取值", attrs={"td": {"class": "text-end"}})

    default_columns = ("version", "key", "value", "clause")

    class Meta(BaseTable.Meta):
        model = RuleParameter
        fields = ()
        sequence = ("id", "version", "key", "value", "clause", "actions")

    def render_value(self, record):
        return record.display_value


class ClauseTable(VersionRowTable):
    title = LinkedColumn(verbose_name="标题")
    key = tables.Column(verbose_name="条款")
    text = tables.Column(verbose_name="内容", orderable=False)
    clause = None  # a clause is its own text

    default_columns = ("version", "key", "title", "text")

    class Meta(BaseTable.Meta):
        model = Clause
        fields = ()
        sequence = ("id", "version", "key", "title", "text", "actions")
