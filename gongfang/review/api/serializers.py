"""Serializers of the data review (conventions of framework.api.serializers)."""

from __future__ import annotations

from rest_framework import serializers

from ...framework.api.serializers import ObjectSerializer
from .. import models as m


class RequiredFieldSerializer(ObjectSerializer):
    """应填字段：对象类型、字段、适用条件（字段条件）、版本与依据。"""

    class Meta(ObjectSerializer.Meta):
        model = m.RequiredField


class ReviewSerializer(ObjectSerializer):
    """数据会审：区划、会审单位、期间、会审人员、状态（只读；在页面上组织）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.Review


class AssignmentSerializer(ObjectSerializer):
    """交叉互审：被审单位的数据由审核单位的审核人审核。"""

    class Meta(ObjectSerializer.Meta):
        model = m.Assignment


class ReviewFindingSerializer(ObjectSerializer):
    """会审问题：对象（subject 类型与 subject_id 编号）、问题、来源、状态与整改、复核经过（只读；整改与复核用
    rectify、recheck）。"""

    exclude_fields = ("subject_type",)  # the subject's kind is ``subject``

    class Meta(ObjectSerializer.Meta):
        model = m.Finding


class ReviewRectifySerializer(serializers.Serializer):
    note = serializers.CharField(label="整改说明", max_length=2000)
    version = serializers.IntegerField(label="版本", required=False)


class ReviewRecheckSerializer(serializers.Serializer):
    passed = serializers.BooleanField(label="整改到位")
    note = serializers.CharField(label="复核意见", max_length=2000, required=False, default="")
    version = serializers.IntegerField(label="版本", required=False)
