"""Serializers of the compliance API: warnings (read-only), a transition's input, and the
explanations of a person's, a room's and an organization's entitlement."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...accounts.models import User
from ...framework.api.serializers import BriefSerializer, ObjectSerializer
from ..models import Mode, Warning
from ..services import TRANSITIONS, allowed_transitions


class WarningSerializer(ObjectSerializer):
    """超标预警：规则、对象、数据（实际、限值、超出、单位）、依据条款、适用标准与参数、处理状态。
    预警由系统按规则生成和解除，接口只读；处理请用 transition。"""

    is_overdue = serializers.BooleanField(read_only=True, label="整改逾期")
    approver_display = serializers.CharField(
        source="approver", read_only=True, allow_null=True, label="审批人（名称）"
    )
    transitions = serializers.SerializerMethodField(
        label="可执行的处理", help_text="当前账号对该预警可执行的处理操作（action 名称）"
    )

    class Meta(ObjectSerializer.Meta):
        model = Warning
        read_only_fields = [f.name for f in Warning._meta.concrete_fields]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_transitions(self, obj: Warning) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [t.name for t in allowed_transitions(request.user, obj)]


class TransitionSerializer(serializers.Serializer):
    """处理一条预警。"""

    action = serializers.ChoiceField(
        choices=[(t.name, t.label) for t in TRANSITIONS.values()],
        label="处理操作",
        help_text="rectify 开始整改；complete 整改完成（系统复核）；defer 暂不整改；file 备案；"
        "reopen 重新打开",
    )
    mode = serializers.ChoiceField(
        choices=Mode.choices, required=False, allow_blank=True, label="整改方式"
    )
    deadline = serializers.DateField(
        required=False, allow_null=True, label="整改期限", help_text="限期整改须填写，须晚于今天"
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, label="理由或说明"
    )
    approver = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        label="审批人",
        help_text="不再使用：机关事务管理员的暂不整改、备案作为审批事项提交，按审批流程由"
        "审批领导签批（返回 202 和文号）；审批领导本人操作时立即生效",
    )


class WaiverRequestSerializer(serializers.Serializer):
    """机关事务管理员的暂不整改、备案：已作为审批事项提交，审批人签批后生效。"""

    detail = serializers.CharField(label="说明")
    case = serializers.CharField(label="审批事项文号")
    case_url = serializers.CharField(label="审批事项地址", allow_blank=True)


class LimitSerializer(serializers.Serializer):
    limit = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, label="标准（m²）"
    )
    standard_level_code = serializers.CharField(label="适用标准行")
    standard_level = serializers.CharField(label="适用标准行（名称）")
    grade_code = serializers.CharField(label="适用职级")
    grade = serializers.CharField(label="适用职级（名称）")
    grade_source = serializers.CharField(label="职级来源")
    basis = serializers.CharField(label="依据", help_text="本职或兼职")
    version = serializers.CharField(label="标准版本")
    clause = serializers.CharField(label="条款")


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField(label="规则")
    label = serializers.CharField(label="规则名称")
    key = serializers.CharField(label="预警标识")
    summary = serializers.CharField(label="情况")


class OfficeSerializer(serializers.Serializer):
    room = serializers.SerializerMethodField(label="房间")
    label = serializers.CharField(label="房间名称")
    area = serializers.DecimalField(max_digits=12, decimal_places=2, label="使用面积（m²）")
    primary = serializers.BooleanField(label="主要办公室")
    toilet = serializers.BooleanField(label="卫生间")
    occupants = serializers.IntegerField(label="当前使用人数")
    limit = LimitSerializer(label="此房间中本人的标准")
    room_limit = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, required=False, label="房间使用人标准合计"
    )
    over = serializers.BooleanField(required=False, label="房间超标")

    @extend_schema_field(BriefSerializer(allow_null=True))
    def get_room(self, obj) -> dict | None:
        room = obj.get("room")
        return BriefSerializer(room, context=self.context).data if room is not None else None


class PersonEntitlementSerializer(serializers.Serializer):
    """人员的办公室面积标准及其依据：适用标准行与职级、标准、版本与条款、办公室与结论。"""

    person = serializers.SerializerMethodField(label="人员")
    organization = serializers.CharField(label="所在单位")
    own = LimitSerializer(label="本人标准")
    offices = OfficeSerializer(many=True, label="当前占用的房间")
    office_area = serializers.DecimalField(
        max_digits=12, decimal_places=2, label="办公室使用面积合计（m²）"
    )
    compliant = serializers.SerializerMethodField(label="合规")
    findings = FindingSerializer(many=True, label="发现的问题")
    version = serializers.CharField(label="适用标准版本")
    ruleset = serializers.JSONField(label="适用标准与参数")

    @extend_schema_field(BriefSerializer)
    def get_person(self, obj) -> dict:
        return BriefSerializer(self.context["object"], context=self.context).data

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_compliant(self, obj) -> bool:
        return not obj["findings"]


class OccupantSerializer(LimitSerializer):
    name = serializers.CharField(label="姓名")
    primary = serializers.BooleanField(label="主要办公室")
    person = serializers.SerializerMethodField(label="人员")

    @extend_schema_field(BriefSerializer(allow_null=True))
    def get_person(self, obj) -> dict | None:
        person = obj.get("person")
        return BriefSerializer(person, context=self.context).data if person is not None else None


class ApprovalSerializer(serializers.Serializer):
    use = serializers.CharField(label="批准用途")
    starts_on = serializers.DateField(label="起始日期")
    ends_on = serializers.DateField(label="截止日期", allow_null=True)
    reference = serializers.CharField(label="审批事项文号")
    in_force = serializers.BooleanField(label="今天在期限内")


class RoomEntitlementSerializer(serializers.Serializer):
    """房间的使用人及其标准、标准合计、使用面积与结论。"""

    room = serializers.SerializerMethodField(label="房间")
    is_office = serializers.BooleanField(label="办公室")
    occupants = OccupantSerializer(many=True, label="当前使用人员")
    limit = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, label="使用人标准合计（m²）"
    )
    tolerance = serializers.DecimalField(max_digits=12, decimal_places=2, label="容差（m²）")
    area = serializers.DecimalField(max_digits=12, decimal_places=2, label="使用面积（m²）")
    actual = serializers.DecimalField(
        max_digits=12, decimal_places=2, label="计入的面积（含卫生间，m²）"
    )
    excess = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, label="超出（m²）"
    )
    over = serializers.BooleanField(label="超标")
    compliant = serializers.SerializerMethodField(label="合规")
    findings = FindingSerializer(many=True, label="发现的问题")
    approvals = ApprovalSerializer(many=True, label="经批准的出借、出租、用途变更（R8 据此判断）")
    version = serializers.CharField(label="适用标准版本")
    clause = serializers.CharField(label="条款")

    @extend_schema_field(BriefSerializer)
    def get_room(self, obj) -> dict:
        return BriefSerializer(self.context["object"], context=self.context).data

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_compliant(self, obj) -> bool:
        return not obj["findings"]


class OrganizationEntitlementSerializer(serializers.Serializer):
    """单位核定面积（DESIGN §4.3）：A、B、设备用房 9%、C、K、S 与实际使用面积。"""

    organization = serializers.SerializerMethodField(label="单位")
    standard_level = serializers.CharField(label="适用标准行")
    staffing = serializers.IntegerField(source="approved.staffing", label="编制数")
    leaders = serializers.JSONField(source="approved.leaders", label="领导职数及其标准")
    staff_count = serializers.IntegerField(source="approved.staff_count", label="其余编制人数")
    a = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="approved.a", label="A 办公室（m²）"
    )
    b = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        source="approved.b",
        allow_null=True,
        label="B 服务用房（m²）",
    )
    equipment = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        source="approved.equipment",
        allow_null=True,
        label="设备用房（(A+B)×9%，m²）",
    )
    c = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="approved.c", label="C 附属用房建筑面积（m²）"
    )
    k = serializers.DecimalField(
        max_digits=6, decimal_places=2, source="approved.k", label="K 使用面积系数"
    )
    s = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        source="approved.s",
        allow_null=True,
        label="S 核定建筑面积（m²）",
    )
    approved_usable = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        source="approved.approved",
        allow_null=True,
        label="核定使用面积 A+B（m²）",
    )
    actual = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="approved.actual", label="实际办公室+服务用房（m²）"
    )
    excess = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, label="超出（m²）"
    )
    compliant = serializers.SerializerMethodField(label="合规")
    findings = FindingSerializer(many=True, label="发现的问题")
    version = serializers.CharField(label="适用标准版本")
    formula = serializers.CharField(label="核定公式")

    @extend_schema_field(BriefSerializer)
    def get_organization(self, obj) -> dict:
        return BriefSerializer(self.context["object"], context=self.context).data

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_compliant(self, obj) -> bool:
        return not obj["findings"]


class CountRowSerializer(serializers.Serializer):
    key = serializers.CharField(label="键")
    label = serializers.CharField(label="名称")
    count = serializers.IntegerField(label="预警")
    active = serializers.IntegerField(label="待处理")


class CountsSerializer(serializers.Serializer):
    """筛选结果的统计：按规则、状态、下级区划、单位。"""

    total = serializers.IntegerField(label="预警")
    active = serializers.IntegerField(label="待处理")
    overdue = serializers.IntegerField(label="整改逾期")
    area = serializers.DecimalField(
        max_digits=14, decimal_places=2, label="待处理的办公室超标面积（m²）"
    )
    by_rule = CountRowSerializer(many=True, label="按规则")
    by_state = CountRowSerializer(many=True, label="按状态")
    by_region = CountRowSerializer(many=True, label="按下级区划")
    by_organization = CountRowSerializer(many=True, label="按单位")
