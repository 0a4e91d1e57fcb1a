"""Serializers of terminals, trips and positions."""

from __future__ import annotations

from rest_framework import serializers

from ...framework.api.serializers import ObjectSerializer
from .. import models as m


class TerminalSerializer(ObjectSerializer):
    """车载终端：由机关事务管理局绑定车辆；未绑定的终端注册时被拒绝并列入待绑定。"""

    class Meta(ObjectSerializer.Meta):
        model = m.Terminal


class TripSerializer(ObjectSerializer):
    """行程：由定位数据按 ACC 与行驶状态实时生成；route 为 [纬度, 经度, 时间戳] 列表。"""

    class Meta(ObjectSerializer.Meta):
        model = m.Trip


class PositionSerializer(serializers.ModelSerializer):
    """定位点（WGS84，速度 km/h）。"""

    class Meta:
        model = m.Position
        fields = [
            "id",
            "terminal",
            "vehicle",
            "recorded_at",
            "received_at",
            "lat",
            "lng",
            "altitude",
            "speed",
            "direction",
            "alarm",
            "status",
            "acc",
            "located",
            "mileage_km",
            "fuel_l",
            "batch",
        ]


class LastPositionSerializer(serializers.ModelSerializer):
    """车辆最新位置（车队地图）。"""

    class Meta:
        model = m.LastPosition
        fields = [
            "terminal",
            "vehicle",
            "recorded_at",
            "lat",
            "lng",
            "speed",
            "direction",
            "acc",
            "alarm",
            "mileage_km",
        ]
