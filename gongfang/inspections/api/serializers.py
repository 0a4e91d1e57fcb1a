"""Serializers of inspections (conventions of framework.api.serializers)."""

from __future__ import annotations

from rest_framework import serializers

from ...framework.api.serializers import ObjectSerializer, ScopedPrimaryKeyRelatedField
from ...registry.models import Organization
from ..models import (
    AssessmentDate,
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionPlan,
    ItemCheck,
    Measurement,
    Tip,
)


class ChecklistSerializer(ObjectSerializer):
    """督查清单（版本）：新增版本时复制上一版的全部检查内容。"""

    class Meta(ObjectSerializer.Meta):
        model = Checklist


class ChecklistItemSerializer(ObjectSerializer):
    """督查清单项：督查对象（党政机关/领导干部）、序号、检查内容、关联规则（R1–R9 编号列表）。
    已被督查计划使用的版本不能修改。"""

    rules = serializers.ListField(
        child=serializers.CharField(max_length=3), label="关联规则", required=False
    )

    class Meta(ObjectSerializer.Meta):
        model = ChecklistItem


class AssessmentDateSerializer(ObjectSerializer):
    """政府考核日期：全面检查的完成期限为考核日期前一个月。"""

    class Meta(ObjectSerializer.Meta):
        model = AssessmentDate


class InspectionPlanSerializer(ObjectSerializer):
    """督查计划：全面/专项/重点/回头看；organizations 为所选单位（all_organizations 为否时必选）；
    team（督查组成员）在页面上设置，接口只读。全面检查不填完成期限时按考核日期前一个月推算。"""

    organizations = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), many=True, required=False, label="检查单位"
    )
    team = serializers.PrimaryKeyRelatedField(many=True, read_only=True, label="督查组成员")

    class Meta(ObjectSerializer.Meta):
        model = InspectionPlan


class InspectionSerializer(ObjectSerializer):
    """督查检查：由督查计划按单位生成；状态经开始、完成检查改变。"""

    inspectors = serializers.PrimaryKeyRelatedField(many=True, read_only=True, label="检查人员")

    class Meta(ObjectSerializer.Meta):
        model = Inspection
        read_only_fields = ("plan", "organization", "checklist", "scheduled_on", "summary")


class ItemCheckSerializer(ObjectSerializer):
    """检查项结果：符合、不符合、不适用及情况说明。"""

    class Meta(ObjectSerializer.Meta):
        model = ItemCheck
        read_only_fields = ("inspection", "item", "result", "note")


class MeasurementSerializer(ObjectSerializer):
    """实地测量：采纳后经台账服务写入房间使用面积（来源：实地测量）；退回须说明理由。"""

    class Meta(ObjectSerializer.Meta):
        model = Measurement
        read_only_fields = ("inspection", "room", "measured_area", "note")


class TipSerializer(ObjectSerializer):
    """问题线索：来源、受理日期、反映内容、涉及单位；涉及对象（subject_kind 为 room 房间或 person
    人员，subject_id 为其编号）在页面上选择；承办与办理结果经 transition 办理。"""

    exclude_fields = ("subject_type",)
    subject_kind = serializers.CharField(
        source="subject_type.model", read_only=True, allow_null=True, label="涉及对象类型"
    )

    class Meta(ObjectSerializer.Meta):
        model = Tip
        read_only_fields = ("subject_type", "subject_id", "assigned_to")


class GeneratedSerializer(serializers.Serializer):
    """生成结果：新生成的督查检查（已有检查的单位不再生成）。"""

    count = serializers.IntegerField(label="新生成数量")
    inspections = InspectionSerializer(many=True, label="新生成的检查")


class RejectSerializer(serializers.Serializer):
    """退回实地测量。"""

    reject_reason = serializers.CharField(label="退回理由", max_length=300)


class TipTransitionSerializer(serializers.Serializer):
    """线索办理：assign（交办，须 assigned_to，可填 deadline）、check（开始核查）、answer（答复，须
    check_result、substantiated、answer）、close（办结）、reopen（退回重新核查）。"""

    action = serializers.ChoiceField(
        choices=[
            ("assign", "交办"),
            ("check", "开始核查"),
            ("answer", "答复"),
            ("close", "办结"),
            ("reopen", "退回重新核查"),
        ],
        label="操作",
    )
    assigned_to = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, label="承办人编号"
    )
    deadline = serializers.DateField(required=False, label="办理期限")
    check_result = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, label="核查情况"
    )
    substantiated = serializers.BooleanField(
        required=False, allow_null=True, default=None, label="反映属实"
    )
    answer = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, label="答复内容"
    )
