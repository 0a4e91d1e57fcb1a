"""Vehicle terminals (北斗 / JT/T 808), their positions and the trips built from them.

A ``Terminal`` is known by its phone number (the JT/T 808 header's terminal id). It introduces
itself by registering; the bureau binds it to a vehicle, and only a bound terminal is given an
auth code. Its ``region`` is the vehicle's once bound; before that the region its registration
named (province/city codes), so the bureau over that region sees it in the unknown list.

``Position`` is one location report: many millions of rows, so a plain model (no change log, no
version) written in bulk by the gateway; on PostgreSQL the table is partitioned by month of
``recorded_at`` (see migration 0002 and ``partitions.py``). ``LastPosition`` keeps each
terminal's latest report for the fleet map. ``Trip`` is built incrementally from ACC and
movement (``trips.py``) and closed after the car stands still for a while.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from ..framework.models import PrimaryModel
from ..framework.querysets import RestrictedQuerySet
from ..framework.scope import Scope


class TerminalState(models.TextChoices):
    UNBOUND = "unbound", "待绑定"
    BOUND = "bound", "已绑定"
    DISABLED = "disabled", "已停用"


class ProtocolVersion(models.IntegerChoices):
    V2013 = 2013, "JT/T 808-2013"
    V2019 = 2019, "JT/T 808-2019"


TERMINAL_SCOPE = Scope(region="region", organization="vehicle__organization")
VEHICLE_SCOPE = Scope(region="vehicle__region", organization="vehicle__organization")


class Terminal(PrimaryModel):
    """An on-board terminal, known by the phone number in its messages' headers."""

    phone = models.CharField(
        "终端手机号",
        max_length=20,
        unique=True,
        help_text="消息头中的终端手机号（BCD，去掉前导 0）",
    )
    vehicle = models.OneToOneField(
        "vehicles.Vehicle",
        verbose_name="绑定车辆",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gps_terminal",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="所在区划",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    state = models.CharField(
        "状态",
        max_length=10,
        choices=TerminalState.choices,
        default=TerminalState.UNBOUND,
        editable=False,
    )
    protocol = models.PositiveSmallIntegerField(
        "协议版本", choices=ProtocolVersion.choices, default=ProtocolVersion.V2013, editable=False
    )
    manufacturer = models.CharField("制造商 ID", max_length=20, blank=True, editable=False)
    terminal_model = models.CharField("终端型号", max_length=40, blank=True, editable=False)
    device_id = models.CharField("终端 ID", max_length=40, blank=True, editable=False)
    reported_plate = models.CharField("上报车牌", max_length=20, blank=True, editable=False)
    plate_color = models.PositiveSmallIntegerField("车牌颜色", default=0, editable=False)
    province_code = models.CharField("省域 ID", max_length=6, blank=True, editable=False)
    city_code = models.CharField("市县域 ID", max_length=6, blank=True, editable=False)
    auth_code = models.CharField("鉴权码", max_length=40, blank=True, editable=False)
    registered_at = models.DateTimeField("最近注册时间", null=True, blank=True, editable=False)
    authenticated_at = models.DateTimeField("最近鉴权时间", null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField("最近通信时间", null=True, blank=True, editable=False)
    last_address = models.CharField("最近连接地址", max_length=60, blank=True, editable=False)
    refused_count = models.PositiveIntegerField("被拒绝次数", default=0, editable=False)
    note = models.TextField("备注", blank=True)

    scope = TERMINAL_SCOPE
    changelog_exclude = (
        "created_at",
        "updated_at",
        "last_seen_at",
        "last_address",
        "registered_at",
        "authenticated_at",
        "refused_count",
    )

    class Meta:
        verbose_name = "车载终端"
        verbose_name_plural = "车载终端"
        ordering = ["phone"]
        indexes = [models.Index(fields=["region", "state"])]

    def __str__(self) -> str:
        return self.phone


class Position(models.Model):
    """One location report (0x0200, or an item of a 0x0704 batch).

    Partitioned by month on PostgreSQL: the primary key there is (id, recorded_at); Django
    addresses rows by ``id`` alone, which the sequence keeps unique.
    """

    id = models.BigAutoField(primary_key=True)
    terminal = models.ForeignKey(
        Terminal, verbose_name="终端", on_delete=models.DO_NOTHING, db_constraint=False
    )
    vehicle = models.ForeignKey(
        "vehicles.Vehicle",
        verbose_name="车辆",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField("定位时间")
    received_at = models.DateTimeField("接收时间")
    lat = models.FloatField("纬度")
    lng = models.FloatField("经度")
    altitude = models.IntegerField("高程（米）", default=0)
    speed = models.FloatField("速度（km/h）", default=0)
    direction = models.PositiveSmallIntegerField("方向", default=0)
    alarm = models.BigIntegerField("报警标志", default=0)
    status = models.BigIntegerField("状态", default=0)
    acc = models.BooleanField("ACC", default=False)
    located = models.BooleanField("已定位", default=True)
    mileage_km = models.FloatField("里程（公里）", null=True, blank=True)
    fuel_l = models.FloatField("油量（升）", null=True, blank=True)
    batch = models.BooleanField("补传", default=False)

    objects = RestrictedQuerySet.as_manager()
    scope = VEHICLE_SCOPE

    class Meta:
        verbose_name = "定位点"
        verbose_name_plural = "定位点"
        ordering = ["recorded_at", "id"]
        indexes = [
            models.Index(fields=["vehicle", "recorded_at"], name="terminals_pos_vehicle_at"),
            models.Index(fields=["terminal", "recorded_at"], name="terminals_pos_terminal_at"),
        ]

    def __str__(self) -> str:
        return f"{self.lat:.6f},{self.lng:.6f}"


class LastPosition(models.Model):
    """A terminal's latest report, upserted by the gateway: what the fleet map shows."""

    terminal = models.OneToOneField(
        Terminal,
        verbose_name="终端",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="last_position",
    )
    vehicle = models.ForeignKey(
        "vehicles.Vehicle",
        verbose_name="车辆",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField("定位时间")
    received_at = models.DateTimeField("接收时间")
    lat = models.FloatField("纬度")
    lng = models.FloatField("经度")
    speed = models.FloatField("速度（km/h）", default=0)
    direction = models.PositiveSmallIntegerField("方向", default=0)
    acc = models.BooleanField("ACC", default=False)
    alarm = models.BigIntegerField("报警标志", default=0)
    mileage_km = models.FloatField("里程（公里）", null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope = VEHICLE_SCOPE

    class Meta:
        verbose_name = "最新位置"
        verbose_name_plural = "最新位置"
        indexes = [models.Index(fields=["vehicle"], name="terminals_last_vehicle")]

    def __str__(self) -> str:
        return f"{self.lat:.6f},{self.lng:.6f}"


class Trip(PrimaryModel):
    """A trip: from ACC on (or moving) to a stop long enough to close it."""

    vehicle = models.ForeignKey(
        "vehicles.Vehicle", verbose_name="车辆", on_delete=models.CASCADE, related_name="trips"
    )
    terminal = models.ForeignKey(
        Terminal,
        verbose_name="终端",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trips",
    )
    start_at = models.DateTimeField("开始时间")
    end_at = models.DateTimeField("结束时间")
    start_lat = models.FloatField("起点纬度")
    start_lng = models.FloatField("起点经度")
    end_lat = models.FloatField("终点纬度")
    end_lng = models.FloatField("终点经度")
    distance_km = models.FloatField("里程（公里）", default=0)
    duration_s = models.PositiveIntegerField("时长（秒）", default=0)
    max_speed = models.FloatField("最高速度（km/h）", default=0)
    # [[lat, lng, epoch seconds], …], simplified (Douglas-Peucker) when the trip closes.
    route = models.JSONField("轨迹", default=list, blank=True)
    points = models.PositiveIntegerField("定位点数", default=0)
    closed = models.BooleanField("已结束", default=False)
    # Movement state kept between reports while the trip is open.
    last_moving_at = models.DateTimeField("最近行驶时间", null=True, blank=True, editable=False)

    scope = VEHICLE_SCOPE
    changelog_exclude = ("created_at", "updated_at", "route", "last_moving_at")

    class Meta:
        verbose_name = "行程"
        verbose_name_plural = "行程"
        ordering = ["-start_at", "-pk"]
        indexes = [
            models.Index(fields=["vehicle", "start_at"], name="terminals_trip_vehicle_start"),
            models.Index(fields=["start_at"], name="terminals_trip_start"),
            models.Index(fields=["closed", "vehicle"], name="terminals_trip_open"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle} {timezone.localtime(self.start_at):%Y-%m-%d %H:%M}"
