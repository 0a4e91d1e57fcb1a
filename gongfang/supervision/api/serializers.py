"""Serializers of supervision (read only: findings are written by the scan, moved by services)."""

from __future__ import annotations

from rest_framework import serializers

from ...framework.api.serializers import ObjectSerializer
from .. import models as m


class AnomalySerializer(ObjectSerializer):
    """用车异常线索：规则、车辆、所属单位、发生时间、情况、判断依据（lines）与数据（figures）、状态；
    trip_number 为行程编号。"""

    # The terminals app has no API yet: the trip by its number.
    exclude_fields = ("trip",)
    trip_number = serializers.IntegerField(
        source="trip_id", read_only=True, allow_null=True, label="行程编号"
    )

    class Meta(ObjectSerializer.Meta):
        model = m.Anomaly


class RuleVersionSerializer(ObjectSerializer):
    """监督规则版本：规则、适用区划（国家默认不填）、版本号、参数、依据、生效期间。"""

    class Meta(ObjectSerializer.Meta):
        model = m.RuleVersion
