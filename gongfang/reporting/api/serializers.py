"""Serializers of reporting (conventions of framework.api.serializers). Names carry "Report" so
the OpenAPI components do not clash with other apps' (Submission, Rule, Score, Reason…)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from ...framework.api.serializers import ObjectSerializer, ScopedPrimaryKeyRelatedField
from ...registry.models import Region
from .. import models as m


class ReportFormSerializer(ObjectSerializer):
    """统计报表版本（全国通用或某省复制后的本省版本）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.ReportForm


class ReportTableSerializer(ObjectSerializer):
    """报表中的一张表（表号、表名、填报范围）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.ReportTable


class ReportFieldSerializer(ObjectSerializer):
    """报表指标：代码、名称、类型、预填表达式；只能修改本区划尚未使用的报表版本。"""

    class Meta(ObjectSerializer.Meta):
        model = m.ReportField


class ReportRuleSerializer(ObjectSerializer):
    """校验规则：左式 关系 右式；必须更正的规则不通过时不能签批。"""

    class Meta(ObjectSerializer.Meta):
        model = m.ValidationRule


class ReportPeriodSerializer(ObjectSerializer):
    """报送期：某区划某年度发起的一轮统计报送。"""

    class Meta(ObjectSerializer.Meta):
        model = m.ReportPeriod
        read_only_fields = ("state", "opened_by")


class ReportSubmissionSerializer(ObjectSerializer):
    """报送：一个填报单位本期的数据与状态（填报中→已校验→已签批→已报送→已接收/已退回）；
    签批扫描件经 signed_scan_url 受控下载（登录后的页面地址），不提供公开地址。"""

    exclude_fields = ("signed_scan",)
    signed_scan_url = serializers.SerializerMethodField(label="签批扫描件下载地址")

    class Meta(ObjectSerializer.Meta):
        model = m.Submission

    def get_signed_scan_url(self, obj: m.Submission) -> str:
        if not obj.signed_scan:
            return ""
        path = reverse("reporting:submission_scan", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ReportIndicatorSerializer(ObjectSerializer):
    """考评指标与分值。"""

    class Meta(ObjectSerializer.Meta):
        model = m.EvaluationIndicator


class ReportScoreSerializer(ObjectSerializer):
    """考评得分（考评台账的一格）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.EvaluationScore


# Request bodies of the steps ----------------------------------------------------------------------
class ReportOpenPeriodSerializer(serializers.Serializer):
    """发起报送：报表版本、组织区划、统计年度、统计时点、截止日期。"""

    form = serializers.PrimaryKeyRelatedField(queryset=m.ReportForm.objects.all(), label="报表")
    region = ScopedPrimaryKeyRelatedField(queryset=Region.objects.all(), label="组织区划")
    year = serializers.IntegerField(label="统计年度", min_value=2000, max_value=2100)
    as_of = serializers.DateField(label="统计时点")
    deadline = serializers.DateField(label="报送截止日期")


class ReportClosePeriodSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label="结束理由", max_length=300, required=False, allow_blank=True
    )


class ReportReopenPeriodSerializer(serializers.Serializer):
    reason = serializers.CharField(label="重新开启理由", max_length=300)


class ReportSaveValuesSerializer(serializers.Serializer):
    """保存数据：values 为 {指标代码: 值}，可同时更新联络人。"""

    values = serializers.DictField(child=serializers.CharField(allow_blank=True), label="填报数据")
    contact_name = serializers.CharField(
        label="联络人", max_length=50, required=False, allow_blank=True
    )
    contact_phone = serializers.CharField(
        label="联络电话", max_length=20, required=False, allow_blank=True
    )


class ReportSignSerializer(serializers.Serializer):
    """签批：登录密码 + 动态口令再次确认身份，上传签批页扫描件（PDF、PNG 或 JPG）。"""

    password = serializers.CharField(label="登录密码", style={"input_type": "password"})
    otp = serializers.CharField(label="动态口令", max_length=10)
    signer_name = serializers.CharField(label="签批领导", max_length=50)
    signer_title = serializers.CharField(
        label="签批领导职务", max_length=60, required=False, allow_blank=True
    )
    scan = serializers.FileField(label="签批扫描件")


class ReportWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label="撤回原因", max_length=300, required=False, allow_blank=True
    )


class ReportReturnSerializer(serializers.Serializer):
    reasons = serializers.CharField(label="退回原因", max_length=2000)


class ReportCorrectSerializer(serializers.Serializer):
    reason = serializers.CharField(label="更正原因", max_length=300)
