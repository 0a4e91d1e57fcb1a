"""Viewsets of the cases' records: list and detail only (written by approved cases)."""

from __future__ import annotations

from ...framework.api.viewsets import ReadOnlyObjectViewSet
from .. import filtersets as f
from ..models import ApprovedUse, ConstructionProject
from . import serializers as s


class ApprovedUseViewSet(ReadOnlyObjectViewSet):
    """经批准的用途（出借、出租、租用、用途变更）：按区划、单位、房间、用途和截止日期筛选。"""

    queryset = ApprovedUse.objects.select_related("room", "counterparty", "case")
    serializer_class = s.ApprovedUseSerializer
    filterset_class = f.ApprovedUseFilterSet


class ConstructionProjectViewSet(ReadOnlyObjectViewSet):
    """建设项目（新建、购置、装修）：按区划、单位和项目类型筛选。"""

    queryset = ConstructionProject.objects.select_related("organization", "building", "case")
    serializer_class = s.ConstructionProjectSerializer
    filterset_class = f.ConstructionProjectFilterSet
