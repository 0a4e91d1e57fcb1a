"""Serializers of the standards; field conventions of :mod:`gongfang.framework.api.serializers`.

A version's ``kind`` is read-only: the API writes local versions only (national ones come with a
release, by data migration)."""

from __future__ import annotations

from ...framework.api.serializers import ObjectSerializer
from ..models import (
    Clause,
    GradeEquivalence,
    OfficeLimit,
    RuleParameter,
    ServiceAllowance,
    StandardVersion,
)


class StandardVersionSerializer(ObjectSerializer):
    """标准版本：国家标准（只读）或某区划的地方标准，带来源与生效日期。"""

    class Meta(ObjectSerializer.Meta):
        model = StandardVersion
        read_only_fields = ("kind",)


class OfficeLimitSerializer(ObjectSerializer):
    """办公室面积标准：某层级、某职级每人使用面积上限（表1 一格）。"""

    class Meta(ObjectSerializer.Meta):
        model = OfficeLimit


class GradeEquivalenceSerializer(ObjectSerializer):
    """职级对照：职级名称（如一级调研员）对应的职级。"""

    class Meta(ObjectSerializer.Meta):
        model = GradeEquivalence


class ServiceAllowanceSerializer(ObjectSerializer):
    """服务用房指标：某层级编制定员人均服务用房使用面积。"""

    class Meta(ObjectSerializer.Meta):
        model = ServiceAllowance


class RuleParameterSerializer(ObjectSerializer):
    """规则参数：规则检查使用的期限、容差与系数。"""

    class Meta(ObjectSerializer.Meta):
        model = RuleParameter


class ClauseSerializer(ObjectSerializer):
    """条款说明：规则（R1…）、表1 注释与核定公式的条文。"""

    class Meta(ObjectSerializer.Meta):
        model = Clause
