"""Serializers of what approved cases recorded (read only; conventions of framework.api)."""

from __future__ import annotations

from rest_framework import serializers

from ...framework.api.serializers import ObjectSerializer
from ..models import ApprovedUse, ConstructionProject


class ApprovedUseSerializer(ObjectSerializer):
    """经批准的用途：审批事项批准的房间出借、出租、租用或用途变更及其期限；由审批事项生效时写入，只读。"""

    case_number = serializers.CharField(source="case.number", read_only=True, label="审批事项文号")

    class Meta(ObjectSerializer.Meta):
        model = ApprovedUse


class ConstructionProjectSerializer(ObjectSerializer):
    """建设项目：经批准的新建、购置、装修项目；由审批事项生效时写入，只读。"""

    case_number = serializers.CharField(source="case.number", read_only=True, label="审批事项文号")

    class Meta(ObjectSerializer.Meta):
        model = ConstructionProject
