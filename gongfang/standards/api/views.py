"""Viewsets of the standards, and the combined standard of a place (``effective``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ...framework.api.viewsets import ObjectViewSet
from ...registry.models import Region
from .. import filtersets as f
from .. import models as m
from .. import selectors
from . import serializers as s


class StandardVersionViewSet(ObjectViewSet):
    """标准版本：国家标准只读（随系统版本发布）；地方标准由管辖其区划的机关事务管理员维护。"""

    queryset = m.StandardVersion.objects.select_related("region")
    serializer_class = s.StandardVersionSerializer
    filterset_class = f.StandardVersionFilterSet


class OfficeLimitViewSet(ObjectViewSet):
    """办公室面积标准（表1 各格）。"""

    queryset = m.OfficeLimit.objects.select_related("version")
    serializer_class = s.OfficeLimitSerializer
    filterset_class = f.OfficeLimitFilterSet


class GradeEquivalenceViewSet(ObjectViewSet):
    """职级对照。"""

    queryset = m.GradeEquivalence.objects.select_related("version")
    serializer_class = s.GradeEquivalenceSerializer
    filterset_class = f.GradeEquivalenceFilterSet


class ServiceAllowanceViewSet(ObjectViewSet):
    """服务用房指标。"""

    queryset = m.ServiceAllowance.objects.select_related("version")
    serializer_class = s.ServiceAllowanceSerializer
    filterset_class = f.ServiceAllowanceFilterSet


class RuleParameterViewSet(ObjectViewSet):
    """规则参数。"""

    queryset = m.RuleParameter.objects.select_related("version")
    serializer_class = s.RuleParameterSerializer
    filterset_class = f.RuleParameterFilterSet


class ClauseViewSet(ObjectViewSet):
    """条款说明。"""

    queryset = m.Clause.objects.select_related("version")
    serializer_class = s.ClauseSerializer
    filterset_class = f.ClauseFilterSet


def _json(value):
    """Decimals as strings, dates as ISO, versions as their public fields."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items() if k != "object"}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class EffectiveQuerySerializer(serializers.Serializer):
    region = serializers.CharField(label="区划代码", help_text="如 370481；须在您的管辖范围内")
    on = serializers.DateField(label="日期", required=False, help_text="默认今天，格式 2025-01-31")


class EffectiveView(APIView):
    """适用标准：某区划某日适用的国家标准与地方标准合成结果，每一项注明来自哪个版本。"""

    # The permission is the view permission on versions (ScopedModelPermission reads this).
    queryset = m.StandardVersion.objects.all()

    @extend_schema(
        tags=["标准版本"],
        summary="查询某区划某日适用的标准（合成结果及每项来源）",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, required=True, description="区划代码"),
            OpenApiParameter("on", OpenApiTypes.DATE, description="日期，默认今天"),
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            404: OpenApiResponse(description="区划不存在、不在管辖范围内，或该日没有适用的标准"),
        },
    )
    def get(self, request):
        query = EffectiveQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        code = query.validated_data["region"].strip()
        on = query.validated_data.get("on") or timezone.localdate()
        region = Region.objects.restrict(request.user, "view").filter(code=code).first()
        if region is None:
            raise Http404("没有找到该区划，或其不在您的管辖范围内。")
        try:
            result = selectors.explain(selectors.ruleset_for(region.path, on))
        except selectors.NoStandardInForce as exc:
            raise Http404(str(exc)) from None
        result.pop("grid")
        return Response(
            {
                "region": {"id": region.pk, "code": region.code, "name": region.name,
                           "path": region.path},
                "on": on.isoformat(),
                **_json(result),
            }
        )  # fmt: skip
