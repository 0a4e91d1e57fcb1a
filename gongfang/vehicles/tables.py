"""List-page tables of vehicles, drivers, quotas, standards and running costs."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from ..framework import clock
from ..framework.masking import Where, shown
from ..framework.tables import (
    ActionsColumn,
    BaseTable,
    DateColumn,
    LinkedColumn,
    NumberColumn,
    RelatedColumn,
)
from .filtersets import DUE_SOON_DAYS
from .models import (
    AnnualInspection,
    Driver,
    FuelCard,
    FuelRecord,
    InsurancePolicy,
    RepairRecord,
    RepairShop,
    Vehicle,
    VehicleQuota,
    VehicleStandard,
    VehicleStandardParameter,
    VehicleStandardRow,
)

YES_NO = "是,否"


def due_badge(due_on, done: bool = False) -> str:
    """已逾期 (red) / N 天后到期 (orange, within 30 days) beside a due date; nothing once done."""
    if due_on is None or done:
        return ""
    days = (due_on - clock.today()).days
    if days < 0:
        return format_html(' <span class="badge bg-red-lt">已逾期 {} 天</span>', -days)
    if days <= DUE_SOON_DAYS:
        return format_html(' <span class="badge bg-orange-lt">{} 天后到期</span>', days)
    return ""


class VehicleTable(BaseTable):
    plate = LinkedColumn(verbose_name="号牌号码")
    organization = RelatedColumn(verbose_name="所属单位", order_by="organization__name")
    category = tables.Column(verbose_name="车辆类别")
    body = tables.Column(verbose_name="车型")
    brand = tables.Column(verbose_name="品牌")
    model_name = tables.Column(verbose_name="型号")
    energy = tables.Column(verbose_name="能源类型")
    new_energy = tables.BooleanColumn(verbose_name="新能源", yesno=YES_NO)
    displacement = NumberColumn(verbose_name="排气量（升）")
    price = NumberColumn(verbose_name="购置价格（元）")
    seats = NumberColumn(verbose_name="座位数")
    bought_on = DateColumn(verbose_name="购置日期")
    mileage = NumberColumn(verbose_name="里程（公里）")
    marked = tables.BooleanColumn(verbose_name="标识", yesno=YES_NO)
    status = tables.Column(verbose_name="状态")
    vin = tables.Column(verbose_name="车辆识别代号")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")
    actions = ActionsColumn()

    default_columns = (
        "plate",
        "organization",
        "category",
        "brand",
        "model_name",
        "energy",
        "bought_on",
        "mileage",
        "status",
    )

    class Meta(BaseTable.Meta):
        model = Vehicle
        fields = ()
        sequence = (
            "id",
            "plate",
            "organization",
            "category",
            "body",
            "brand",
            "model_name",
            "energy",
            "new_energy",
            "displacement",
            "price",
            "seats",
            "bought_on",
            "mileage",
            "marked",
            "status",
            "vin",
            "region",
            "actions",
        )


class DriverTable(BaseTable):
    name = LinkedColumn(verbose_name="姓名")
    organization = RelatedColumn(verbose_name="所属单位", order_by="organization__name")
    phone = tables.Column(verbose_name="联系电话")
    license_class = tables.Column(verbose_name="准驾车型")
    license_expires_on = DateColumn(verbose_name="驾驶证有效期至")
    active = tables.BooleanColumn(verbose_name="在岗", yesno=YES_NO)
    actions = ActionsColumn()

    default_columns = (
        "name",
        "organization",
        "phone",
        "license_class",
        "license_expires_on",
        "active",
    )

    class Meta(BaseTable.Meta):
        model = Driver
        fields = ()
        sequence = (
            "id",
            "name",
            "organization",
            "phone",
            "license_class",
            "license_expires_on",
            "active",
            "actions",
        )

    def render_phone(self, record, value):
        # Personal data: masked in lists for every role (framework.masking).
        return shown(self.user, record, "phone", value, Where.LIST)

    def render_license_expires_on(self, record, value):
        return format_html("{}{}", value.isoformat(), due_badge(value))


class VehicleQuotaTable(BaseTable):
    organization = RelatedColumn(verbose_name="单位", order_by="organization__name")
    category = LinkedColumn(verbose_name="车辆类别")
    count = NumberColumn(verbose_name="编制数（辆）")
    used = NumberColumn(verbose_name="在编车辆（辆）", orderable=False, accessor="used")
    free = NumberColumn(verbose_name="空余（辆）", orderable=False, accessor="free")
    approved_by_document = tables.Column(verbose_name="核定文件")
    actions = ActionsColumn()

    default_columns = ("organization", "category", "count", "used", "free")

    class Meta(BaseTable.Meta):
        model = VehicleQuota
        fields = ()
        sequence = (
            "id",
            "organization",
            "category",
            "count",
            "used",
            "free",
            "approved_by_document",
            "actions",
        )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # Quotas are set by a bureau (services.VehicleQuotaService): no row buttons for a unit.
        if user is not None and not getattr(user, "scope_region_id", None):
            self.columns.hide("actions")

    def render_free(self, value):
        if value < 0:
            return format_html('<span class="badge bg-red-lt">超编 {} 辆</span>', -value)
        return value


class VehicleStandardTable(BaseTable):
    name = LinkedColumn(verbose_name="名称")
    kind = tables.Column(verbose_name="类别")
    region = RelatedColumn(verbose_name="适用区划", display="name")
    revision = tables.Column(verbose_name="版次")
    effective_from = DateColumn(verbose_name="生效日期")
    effective_to = DateColumn(verbose_name="有效期至")
    source = tables.Column(verbose_name="来源")
    actions = ActionsColumn()

    default_columns = ("name", "kind", "region", "effective_from", "effective_to", "source")

    class Meta(BaseTable.Meta):
        model = VehicleStandard
        fields = ()
        sequence = (
            "id",
            "name",
            "kind",
            "region",
            "revision",
            "effective_from",
            "effective_to",
            "source",
            "actions",
        )


class VehicleStandardRowTable(BaseTable):
    standard = RelatedColumn(verbose_name="标准版本")
    category = LinkedColumn(verbose_name="车辆类别")
    body_class = tables.Column(verbose_name="车型类别")
    exceptional = tables.BooleanColumn(verbose_name="特殊情况", yesno=YES_NO)
    price_cap = NumberColumn(verbose_name="价格上限（元）")
    displacement_cap = NumberColumn(verbose_name="排气量上限（升）")
    clause = tables.Column(verbose_name="条款依据")
    actions = ActionsColumn()

    default_columns = (
        "category",
        "body_class",
        "exceptional",
        "price_cap",
        "displacement_cap",
        "standard",
    )

    class Meta(BaseTable.Meta):
        model = VehicleStandardRow
        fields = ()
        sequence = (
            "id",
            "standard",
            "category",
            "body_class",
            "exceptional",
            "price_cap",
            "displacement_cap",
            "clause",
            "actions",
        )


class VehicleStandardParameterTable(BaseTable):
    standard = RelatedColumn(verbose_name="标准版本")
    key = LinkedColumn(verbose_name="参数")
    value = tables.Column(verbose_name="取值")
    unit = tables.Column(verbose_name="单位")
    clause = tables.Column(verbose_name="条款依据")
    actions = ActionsColumn()

    default_columns = ("key", "value", "unit", "standard")

    class Meta(BaseTable.Meta):
        model = VehicleStandardParameter
        fields = ()
        sequence = ("id", "standard", "key", "value", "unit", "clause", "actions")

    def render_value(self, record):
        return record.shown


class VehicleColumnTable(BaseTable):
    """Tables of rows that hang on a vehicle: the vehicle and its organization come first."""

    vehicle = RelatedColumn(verbose_name="车辆", order_by="vehicle__plate")
    organization = RelatedColumn(
        verbose_name="所属单位",
        accessor="vehicle__organization",
        order_by="vehicle__organization__name",
    )


class FuelCardTable(VehicleColumnTable):
    number = LinkedColumn(verbose_name="卡号")
    issuer = tables.Column(verbose_name="发卡单位")
    issued_on = DateColumn(verbose_name="办卡日期")
    active = tables.BooleanColumn(verbose_name="有效", yesno=YES_NO)
    actions = ActionsColumn()

    default_columns = ("number", "vehicle", "organization", "issuer", "active")

    class Meta(BaseTable.Meta):
        model = FuelCard
        fields = ()
        sequence = (
            "id",
            "number",
            "vehicle",
            "organization",
            "issuer",
            "issued_on",
            "active",
            "actions",
        )


class FuelRecordTable(VehicleColumnTable):
    id = LinkedColumn(verbose_name="编号")
    filled_on = DateColumn(verbose_name="加油日期")
    litres = NumberColumn(verbose_name="加油量")
    amount = NumberColumn(verbose_name="金额（元）")
    odometer = NumberColumn(verbose_name="里程表（公里）")
    station = tables.Column(verbose_name="加油站")
    card = RelatedColumn(verbose_name="加油卡", order_by="card__number")
    actions = ActionsColumn()

    default_columns = ("id", "filled_on", "vehicle", "organization", "litres", "amount", "odometer")

    class Meta(BaseTable.Meta):
        model = FuelRecord
        fields = ()
        sequence = (
            "id",
            "filled_on",
            "vehicle",
            "organization",
            "litres",
            "amount",
            "odometer",
            "station",
            "card",
            "actions",
        )


class RepairShopTable(BaseTable):
    name = LinkedColumn(verbose_name="名称")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")
    designated = tables.BooleanColumn(verbose_name="定点", yesno=YES_NO)
    designated_until = DateColumn(verbose_name="定点有效期至")
    address = tables.Column(verbose_name="地址")
    phone = tables.Column(verbose_name="联系电话")
    actions = ActionsColumn()

    default_columns = ("name", "region", "designated", "designated_until", "address", "phone")

    class Meta(BaseTable.Meta):
        model = RepairShop
        fields = ()
        sequence = (
            "id",
            "name",
            "region",
            "designated",
            "designated_until",
            "address",
            "phone",
            "actions",
        )


class RepairRecordTable(VehicleColumnTable):
    id = LinkedColumn(verbose_name="编号")
    repaired_on = DateColumn(verbose_name="维修日期")
    kind = tables.Column(verbose_name="类型")
    shop = RelatedColumn(verbose_name="维修单位", order_by="shop__name")
    amount = NumberColumn(verbose_name="金额（元）")
    odometer = NumberColumn(verbose_name="里程表（公里）")
    description = tables.Column(verbose_name="维修内容")
    actions = ActionsColumn()

    default_columns = ("id", "repaired_on", "vehicle", "organization", "kind", "shop", "amount")

    class Meta(BaseTable.Meta):
        model = RepairRecord
        fields = ()
        sequence = (
            "id",
            "repaired_on",
            "vehicle",
            "organization",
            "kind",
            "shop",
            "amount",
            "odometer",
            "description",
            "actions",
        )


class InsurancePolicyTable(VehicleColumnTable):
    id = LinkedColumn(verbose_name="编号")
    kind = tables.Column(verbose_name="险种")
    insurer = tables.Column(verbose_name="保险公司")
    policy_number = tables.Column(verbose_name="保单号")
    start_on = DateColumn(verbose_name="保险起期")
    end_on = DateColumn(verbose_name="保险止期")
    premium = NumberColumn(verbose_name="保费（元）")
    actions = ActionsColumn()

    default_columns = ("id", "vehicle", "organization", "kind", "insurer", "end_on", "premium")

    class Meta(BaseTable.Meta):
        model = InsurancePolicy
        fields = ()
        sequence = (
            "id",
            "vehicle",
            "organization",
            "kind",
            "insurer",
            "policy_number",
            "start_on",
            "end_on",
            "premium",
            "actions",
        )

    def render_end_on(self, record, value):
        return format_html("{}{}", value.isoformat(), due_badge(value))


class AnnualInspectionTable(VehicleColumnTable):
    id = LinkedColumn(verbose_name="编号")
    due_on = DateColumn(verbose_name="应检日期")
    done_on = DateColumn(verbose_name="检验日期")
    result = tables.Column(verbose_name="检验结果")
    station = tables.Column(verbose_name="检验机构")
    actions = ActionsColumn()

    default_columns = ("id", "vehicle", "organization", "due_on", "done_on", "result")

    class Meta(BaseTable.Meta):
        model = AnnualInspection
        fields = ()
        sequence = (
            "id",
            "vehicle",
            "organization",
            "due_on",
            "done_on",
            "result",
            "station",
            "actions",
        )

    def render_due_on(self, record, value):
        return format_html("{}{}", value.isoformat(), due_badge(value, done=bool(record.done_on)))
