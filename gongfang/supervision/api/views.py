"""Viewsets of supervision: findings and rule versions, read only (scoped, the pages' filtersets)."""

from __future__ import annotations

from ...framework.api.viewsets import ReadOnlyObjectViewSet
from .. import filtersets as f
from .. import models as m
from . import serializers as s


class AnomalyViewSet(ReadOnlyObjectViewSet):
    """用车异常线索（只读；核实处理在页面办理）。"""

    queryset = m.Anomaly.objects.select_related("vehicle", "organization", "region")
    serializer_class = s.AnomalySerializer
    filterset_class = f.AnomalyFilterSet


class RuleVersionViewSet(ReadOnlyObjectViewSet):
    """监督规则各版本（只读；修订在页面保存为新版本）。"""

    queryset = m.RuleVersion.objects.select_related("region")
    serializer_class = s.RuleVersionSerializer
    filterset_class = f.RuleVersionFilterSet
