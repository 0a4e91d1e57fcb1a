"""Viewsets of terminals (scoped; the list pages' filtersets)."""

from __future__ import annotations

from ...framework.api.viewsets import ObjectViewSet, ReadOnlyObjectViewSet
from .. import filtersets as f
from .. import models as m
from . import serializers as s


class TerminalViewSet(ObjectViewSet):
    """车载终端台账与绑定；待绑定终端用 ?state=unbound。"""

    queryset = m.Terminal.objects.select_related("vehicle", "region")
    serializer_class = s.TerminalSerializer
    filterset_class = f.TerminalFilterSet


class TripViewSet(ReadOnlyObjectViewSet):
    """行程（只读）。"""

    queryset = m.Trip.objects.select_related("vehicle")
    serializer_class = s.TripSerializer
    filterset_class = f.TripFilterSet


class PositionViewSet(ReadOnlyObjectViewSet):
    """定位数据（只读）；请按车辆与时间范围查询。"""

    queryset = m.Position.objects.all()
    serializer_class = s.PositionSerializer
    filterset_class = f.PositionFilterSet


class LastPositionViewSet(ReadOnlyObjectViewSet):
    """各车最新位置（只读）。"""

    queryset = m.LastPosition.objects.select_related("vehicle")
    serializer_class = s.LastPositionSerializer
    filterset_class = f.LastPositionFilterSet
