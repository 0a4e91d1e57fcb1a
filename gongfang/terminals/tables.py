"""List-page tables of terminals, trips and positions."""

from __future__ import annotations

import django_tables2 as tables

from ..framework.tables import (
    ActionsColumn,
    BaseTable,
    DateColumn,
    LinkedColumn,
    NumberColumn,
    RelatedColumn,
)
from .models import Position, Terminal, Trip

YES_NO = ("是", "否")


class FixedColumn(NumberColumn):
    """A measurement with a fixed number of decimals."""

    def __init__(self, *args, decimals: int = 1, **kwargs):
        self.decimals = decimals
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{value:,.{self.decimals}f}"


class TerminalTable(BaseTable):
    phone = LinkedColumn(verbose_name="终端手机号")
    vehicle = RelatedColumn(verbose_name="绑定车辆", order_by="vehicle__plate")
    state = tables.Column(verbose_name="状态")
    protocol = tables.Column(verbose_name="协议版本")
    reported_plate = tables.Column(verbose_name="上报车牌")
    region = tables.Column(verbose_name="所在区划", order_by="region__code")
    last_seen_at = DateColumn(verbose_name="最近通信时间", format="Y-m-d H:i")
    refused_count = NumberColumn(verbose_name="被拒绝次数")
    actions = ActionsColumn()

    default_columns = (
        "phone",
        "vehicle",
        "state",
        "reported_plate",
        "last_seen_at",
        "refused_count",
    )

    class Meta(BaseTable.Meta):
        model = Terminal
        fields = ()


class TripTable(BaseTable):
    start_at = DateColumn(verbose_name="开始时间", format="Y-m-d H:i", linkify=True)
    vehicle = RelatedColumn(verbose_name="车辆", order_by="vehicle__plate")
    end_at = DateColumn(verbose_name="结束时间", format="Y-m-d H:i")
    distance_km = FixedColumn(verbose_name="里程（公里）", decimals=1)
    duration = tables.Column(verbose_name="时长", accessor="duration_s", order_by="duration_s")
    max_speed = FixedColumn(verbose_name="最高速度（km/h）", decimals=0)
    closed = tables.BooleanColumn(verbose_name="已结束", yesno=YES_NO)

    default_columns = ("start_at", "vehicle", "end_at", "distance_km", "duration", "max_speed")

    class Meta(BaseTable.Meta):
        model = Trip
        fields = ()

    def render_duration(self, value: int) -> str:
        return (
            f"{value // 3600} 小时 {value % 3600 // 60} 分"
            if value >= 3600
            else f"{value // 60} 分"
        )


class PositionTable(BaseTable):
    recorded_at = DateColumn(verbose_name="定位时间", format="Y-m-d H:i:s")
    lat = FixedColumn(verbose_name="纬度", decimals=6)
    lng = FixedColumn(verbose_name="经度", decimals=6)
    speed = FixedColumn(verbose_name="速度（km/h）", decimals=1)
    direction = tables.Column(verbose_name="方向")
    acc = tables.BooleanColumn(verbose_name="ACC", yesno=("开", "关"))
    mileage_km = FixedColumn(verbose_name="里程（公里）", decimals=1)
    batch = tables.BooleanColumn(verbose_name="补传", yesno=YES_NO)

    default_columns = ("recorded_at", "lat", "lng", "speed", "direction", "acc", "mileage_km")

    class Meta(BaseTable.Meta):
        model = Position
        fields = ()
