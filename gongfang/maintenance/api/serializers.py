"""Serializers of maintenance (conventions of framework.api.serializers)."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from ...framework.api.serializers import ObjectSerializer
from ..choices import AcceptanceResult, ServiceScope
from ..models import (
    Budget,
    Expense,
    MaintenancePayment,
    MaintenanceProject,
    PlanProposal,
    ProgressReport,
    ServiceContract,
    StageRequirement,
    ThreeYearPlan,
)
from ..selectors import budget_spent


class MaintenanceProjectSerializer(ObjectSerializer):
    """维修项目：申报 → 立项（审批）→ 实施 → 验收 → 评价 → 归档；阶段、金额、进度由各环节写入（只读）。
    overdue：逾期未验收；over_budget：合同或付款超过批准金额；spent_percent：已付/合同（%）。"""

    overdue = serializers.BooleanField(source="is_overdue", read_only=True, label="逾期未验收")
    over_budget = serializers.BooleanField(
        source="is_over_budget", read_only=True, label="超批准金额"
    )
    spent_percent = serializers.IntegerField(
        read_only=True, allow_null=True, label="资金使用进度（%）"
    )

    class Meta(ObjectSerializer.Meta):
        model = MaintenanceProject


class ProgressReportSerializer(ObjectSerializer):
    """实施进度报告：只能在项目“实施”阶段报告；项目进度取最近一次报告。"""

    class Meta(ObjectSerializer.Meta):
        model = ProgressReport


class MaintenancePaymentSerializer(ObjectSerializer):
    """维修付款：在实施、验收、评价阶段登记；项目已付金额为付款合计。"""

    class Meta(ObjectSerializer.Meta):
        model = MaintenancePayment


class ThreeYearPlanSerializer(ObjectSerializer):
    """三年维修规划：机关事务管理局按区划和起始年度建立，排序后报领导签批。"""

    class Meta(ObjectSerializer.Meta):
        model = ThreeYearPlan


class PlanProposalSerializer(ObjectSerializer):
    """规划申报项目：单位申报（楼座、维修内容、估算、年度、使用状况）；rank 由机关事务管理局排定。"""

    class Meta(ObjectSerializer.Meta):
        model = PlanProposal


class ServiceContractSerializer(ObjectSerializer):
    """物业服务合同：院落或楼座（二选一）；scopes 为服务内容代码列表（cleaning 保洁、security 安保、
    greening 绿化、repair 维修、catering 餐饮、other 其他）；年度金额 = 面积 × 单价（按月 ×12）。"""

    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceScope.choices),
        allow_empty=False,
        max_length=6,
        label="服务内容",
    )

    class Meta(ObjectSerializer.Meta):
        model = ServiceContract


class BudgetSerializer(ObjectSerializer):
    """经费预算：单位或院落、年度、项目（物业/维修/能耗/租金）；spent 为当年已支出（计算）。"""

    spent = serializers.SerializerMethodField(label="已支出（元）")

    class Meta(ObjectSerializer.Meta):
        model = Budget

    def get_spent(self, obj: Budget) -> Decimal:
        return budget_spent(obj)


class ExpenseSerializer(ObjectSerializer):
    """经费支出（能耗、租金）：单位或院落的一笔支出。"""

    class Meta(ObjectSerializer.Meta):
        model = Expense


class StageRequirementSerializer(ObjectSerializer):
    """某环节须备资料：环节、项目类型、档案类别和份数；全国规定只读，地方规定替代全国规定的同一行
    （份数 0 表示本地不要求）。"""

    class Meta(ObjectSerializer.Meta):
        model = StageRequirement
        read_only_fields = ("kind",)


class StartWorksSerializer(serializers.Serializer):
    """开始实施：施工单位、合同金额、开工日期、计划完工日期。"""

    contractor = serializers.CharField(max_length=100, label="施工单位")
    contract_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, label="合同金额（元）"
    )
    start_on = serializers.DateField(label="开工日期")
    planned_end_on = serializers.DateField(label="计划完工日期")


class AcceptSerializer(serializers.Serializer):
    """竣工验收：验收日期、结论（passed 合格 / failed 不合格）、意见。"""

    accepted_on = serializers.DateField(label="验收日期")
    result = serializers.ChoiceField(choices=AcceptanceResult.choices, label="验收结论")
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, label="验收意见"
    )


class EvaluateSerializer(serializers.Serializer):
    """项目评价（机关事务管理局）：得分 0—100、评价意见。"""

    score = serializers.IntegerField(min_value=0, max_value=100, label="评价得分")
    comment = serializers.CharField(max_length=2000, label="评价意见")


class SubmitSerializer(serializers.Serializer):
    """申请立项：申请金额（默认估算金额）。"""

    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        label="申请立项金额（元）",
    )
