"""List-page tables of what approved cases recorded (read-only: written by the cases' effects)."""

from __future__ import annotations

import django_tables2 as tables

from ..framework.tables import BaseTable, DateColumn, LinkedColumn, RelatedColumn
from .models import ApprovedUse, ConstructionProject


class ApprovedUseTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    room = RelatedColumn(
        verbose_name="房间", order_by=("room__floor__building__compound__name", "room__number")
    )
    use = tables.Column(verbose_name="批准用途")
    counterparty = RelatedColumn(verbose_name="借用单位", order_by="counterparty__name")
    party = tables.Column(verbose_name="承租方 / 出租方")
    rent = tables.Column(verbose_name="年租金（元）", attrs={"td": {"class": "text-end"}})
    starts_on = DateColumn(verbose_name="起始日期")
    ends_on = DateColumn(verbose_name="截止日期")
    ended_on = DateColumn(verbose_name="提前终止日期")
    agreement_number = tables.Column(verbose_name="协议 / 合同编号")
    bidding_record = tables.Column(verbose_name="公开招租记录")
    case = RelatedColumn(verbose_name="审批事项", display="number", order_by="case__number")

    default_columns = ("id", "room", "use", "counterparty", "party", "starts_on", "ends_on", "case")

    class Meta(BaseTable.Meta):
        model = ApprovedUse
        fields = ()
        sequence = (
            "id",
            "room",
            "use",
            "counterparty",
            "party",
            "rent",
            "starts_on",
            "ends_on",
            "ended_on",
            "agreement_number",
            "bidding_record",
            "case",
        )


class ConstructionProjectTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    name = LinkedColumn(verbose_name="项目名称")
    kind = tables.Column(verbose_name="项目类型")
    organization = RelatedColumn(verbose_name="建设单位", order_by="organization__name")
    building = RelatedColumn(verbose_name="涉及楼座", order_by="building__name")
    location = tables.Column(verbose_name="建设地点")
    building_area = tables.Column(
        verbose_name="建筑面积（平方米）", attrs={"td": {"class": "text-end"}}
    )
    budget = tables.Column(verbose_name="概算投资（万元）", attrs={"td": {"class": "text-end"}})
    funding = tables.Column(verbose_name="资金来源")
    starts_on = DateColumn(verbose_name="计划开工日期")
    case = RelatedColumn(verbose_name="审批事项", display="number", order_by="case__number")

    default_columns = ("id", "name", "kind", "organization", "budget", "starts_on", "case")

    class Meta(BaseTable.Meta):
        model = ConstructionProject
        fields = ()
        sequence = (
            "id",
            "name",
            "kind",
            "organization",
            "building",
            "location",
            "building_area",
            "budget",
            "funding",
            "starts_on",
            "case",
        )
