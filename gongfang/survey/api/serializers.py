"""Serializers of survey (conventions of framework.api.serializers)."""

from __future__ import annotations

from rest_framework import serializers

from ...framework.api.serializers import ObjectSerializer, ScopedPrimaryKeyRelatedField
from ...registry.models import Building
from .. import models as m


class SurveyBatchSerializer(ObjectSerializer):
    """测绘批次：三明确（测绘楼座 buildings、图纸提供方 drawings_by、责任人 responsible）、测绘单位、计划日期、状态；
    surveyors（测绘单位账号）在页面上设置，接口只读；容差取标准参数“R9 面积核对容差”。"""

    buildings = ScopedPrimaryKeyRelatedField(
        queryset=Building.objects.all(), many=True, label="测绘楼座"
    )
    surveyors = serializers.PrimaryKeyRelatedField(many=True, read_only=True, label="测绘单位账号")

    class Meta(ObjectSerializer.Meta):
        model = m.SurveyBatch
        read_only_fields = ("state",)


class SurveyDrawingSerializer(ObjectSerializer):
    """测绘图纸：某楼层的 DXF/IFC 图纸、识别结果（图层、房间、问题清单）与确认的图层和单位。"""

    class Meta(ObjectSerializer.Meta):
        model = m.SurveyDrawing


class SurveyItemSerializer(ObjectSerializer):
    """核对房间：匹配/新增/图纸中缺少，台账面积与测绘面积、差额、是否超出容差，三方意见。"""

    class Meta(ObjectSerializer.Meta):
        model = m.SurveyItem


class SurveyConfirmationSerializer(ObjectSerializer):
    """确认意见：一方对若干房间的确认或异议（含理由）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.SurveyConfirmation


class SurveyDecisionSerializer(serializers.Serializer):
    """确认或提出异议：party（unit/surveyor/bureau）、decision（confirmed/disputed）、
    items（房间编号列表，不填为本方全部待确认房间）、reason（异议必填）。"""

    party = serializers.ChoiceField(choices=m.Party.choices, label="身份")
    decision = serializers.ChoiceField(
        choices=[(m.Decision.CONFIRMED, "确认"), (m.Decision.DISPUTED, "提出异议")], label="意见"
    )
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, label="房间"
    )
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, label="理由")


class SurveySignSerializer(serializers.Serializer):
    """签字确认：party 与登录密码、动态口令。"""

    party = serializers.ChoiceField(choices=m.Party.choices, label="签字方")
    password = serializers.CharField(label="登录密码", style={"input_type": "password"})
    otp = serializers.CharField(label="动态口令", max_length=10)
