"""Viewsets of the registry: the scoped queryset (with what ``display`` needs joined), the
model's serializer and its one filterset."""

from __future__ import annotations

from ...framework.api.viewsets import ObjectViewSet
from .. import filtersets as f
from .. import models as m
from . import serializers as s


class RegionViewSet(ObjectViewSet):
    """行政区划（GB/T 2260）。"""

    queryset = m.Region.objects.select_related("parent")
    serializer_class = s.RegionSerializer
    filterset_class = f.RegionFilterSet


class OrganizationViewSet(ObjectViewSet):
    """单位：党政机关、事业单位、群团。"""

    queryset = m.Organization.objects.select_related("parent", "region", "successor")
    serializer_class = s.OrganizationSerializer
    filterset_class = f.OrganizationFilterSet


class LeadershipQuotaViewSet(ObjectViewSet):
    """领导职数。"""

    queryset = m.LeadershipQuota.objects.select_related("organization")
    serializer_class = s.LeadershipQuotaSerializer
    filterset_class = f.LeadershipQuotaFilterSet


class CompoundViewSet(ObjectViewSet):
    """院落。"""

    queryset = m.Compound.objects.select_related("region", "owner_org")
    serializer_class = s.CompoundSerializer
    filterset_class = f.CompoundFilterSet


class BuildingViewSet(ObjectViewSet):
    """楼座。"""

    queryset = m.Building.objects.select_related("compound")
    serializer_class = s.BuildingSerializer
    filterset_class = f.BuildingFilterSet


class FloorViewSet(ObjectViewSet):
    """楼层。"""

    queryset = m.Floor.objects.select_related("building__compound")
    serializer_class = s.FloorSerializer
    filterset_class = f.FloorFilterSet


class RoomViewSet(ObjectViewSet):
    """房间。"""

    queryset = m.Room.objects.select_related("floor__building__compound", "organization")
    serializer_class = s.RoomSerializer
    filterset_class = f.RoomFilterSet


class PersonViewSet(ObjectViewSet):
    """人员。"""

    queryset = m.Person.objects.select_related("organization")
    serializer_class = s.PersonSerializer
    filterset_class = f.PersonFilterSet


class PostViewSet(ObjectViewSet):
    """兼职。"""

    queryset = m.Post.objects.select_related("person", "organization")
    serializer_class = s.PostSerializer
    filterset_class = f.PostFilterSet


class OccupancyViewSet(ObjectViewSet):
    """办公室使用：人员在某一期间使用某一房间。"""

    queryset = m.Occupancy.objects.select_related("person", "room__floor__building__compound")
    serializer_class = s.OccupancySerializer
    filterset_class = f.OccupancyFilterSet


class ParkingLotViewSet(ObjectViewSet):
    """停车场。"""

    queryset = m.ParkingLot.objects.select_related("compound")
    serializer_class = s.ParkingLotSerializer
    filterset_class = f.ParkingLotFilterSet


class CanteenViewSet(ObjectViewSet):
    """食堂。"""

    queryset = m.Canteen.objects.select_related("compound")
    serializer_class = s.CanteenSerializer
    filterset_class = f.CanteenFilterSet
