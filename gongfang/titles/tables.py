"""List-page tables of titles and use certificates."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from ..framework.tables import (
    ActionsColumn,
    AreaColumn,
    BaseTable,
    DateColumn,
    LinkedColumn,
    NumberColumn,
    RelatedColumn,
)
from .models import Title, UseCertificate


class TitleTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    target = tables.Column(
        verbose_name="院落/楼座",
        accessor="property_label",
        order_by=("compound__name", "building__name"),
    )
    kind = tables.Column(verbose_name="权属类型")
    certificate_number = LinkedColumn(verbose_name="证号")
    holder = RelatedColumn(verbose_name="权利人", order_by="holder__name")
    held_centrally = tables.BooleanColumn(verbose_name="集中持有", yesno="是,否")
    area = AreaColumn(verbose_name="证载面积（m²）")
    issued_on = DateColumn(verbose_name="发证/备案日期")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")
    source_document = tables.Column(verbose_name="来源文件")
    actions = ActionsColumn()

    default_columns = (
        "id",
        "target",
        "kind",
        "certificate_number",
        "holder",
        "held_centrally",
        "area",
        "issued_on",
    )

    class Meta(BaseTable.Meta):
        model = Title
        fields = ()
        sequence = (
            "id",
            "target",
            "kind",
            "certificate_number",
            "holder",
            "held_centrally",
            "area",
            "issued_on",
            "region",
            "source_document",
            "actions",
        )

    def render_target(self, record):
        target = record.target
        if target is not None and self.may_view(type(target)):
            return format_html('<a href="{}">{}</a>', target.get_absolute_url(), str(target))
        return record.property_label


class UseCertificateTable(BaseTable):
    number = LinkedColumn(verbose_name="证号")
    organization = RelatedColumn(verbose_name="使用单位", order_by="organization__name")
    room_count = NumberColumn(verbose_name="房间数")
    total_area = AreaColumn(verbose_name="使用面积合计（m²）")
    issued_on = DateColumn(verbose_name="发证日期")
    state = tables.Column(verbose_name="状态")
    revoked_on = DateColumn(verbose_name="注销日期")
    revoke_reason = tables.Column(verbose_name="注销原因")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")

    default_columns = (
        "number",
        "organization",
        "room_count",
        "total_area",
        "issued_on",
        "state",
        "revoked_on",
    )

    class Meta(BaseTable.Meta):
        model = UseCertificate
        fields = ()
        sequence = (
            "id",
            "number",
            "organization",
            "room_count",
            "total_area",
            "issued_on",
            "state",
            "revoked_on",
            "revoke_reason",
            "region",
        )
