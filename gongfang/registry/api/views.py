"""Viewsets of the registry: the scoped queryset (with what ``display`` needs joined), the
model's serializer and its one filterset."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from ...framework.api.exceptions import as_api_error
from ...framework.api.schema import IF_MATCH
from ...framework.api.steps import StepActionMixin
from ...framework.api.viewsets import ObjectViewSet
from ...framework.services import service_for
from .. import filtersets as f
from .. import models as m
from ..services import renumber_region
from . import serializers as s


class RenumberSerializer(serializers.Serializer):
    """新区划代码。"""

    code = serializers.CharField(label="新区划代码", max_length=12)


class RegionViewSet(StepActionMixin, ObjectViewSet):
    """行政区划（GB/T 2260）。"""

    queryset = m.Region.objects.select_related("parent")
    serializer_class = s.RegionSerializer
    filterset_class = f.RegionFilterSet

    @extend_schema(
        request=RenumberSerializer, responses={200: s.RegionSerializer}, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["post"])
    def renumber(self, request, pk=None) -> Response:
        """变更区划代码：国家调整 GB/T 2260 代码时使用，其下级区划的路径在同一事务中改写。
        已有下级区划或登记对象的区划，其代码只能这样修改。"""
        return self.step(
            request,
            RenumberSerializer,
            lambda region, d, v: renumber_region(
                actor=request.user, region=region, code=d["code"], expected_version=v
            )[0],
        )


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

    def list(self, request, *args, **kwargs):
        """``?as_of=YYYY-MM-DD``: the rooms as they were at the end of that day, from the
        change log (filters ``region``, ``unit``, ``category``, ``status``)."""
        if "as_of" in request.query_params:
            from ..asof_views import api_response

            return api_response(request)
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        """The room and the occupants given with it (``occupants``), in one transaction: one
        call where an integrating system would otherwise make one per person."""
        occupants = serializer.validated_data.pop("occupants", [])
        with transaction.atomic():
            super().perform_create(serializer)
            room = serializer.instance
            service = service_for(m.Occupancy)
            for index, data in enumerate(occupants):
                try:
                    _, notices = service.create(
                        actor=self.request.user, data={**data, "room": room}
                    )
                except DjangoValidationError as exc:
                    errors: list[dict] = [{} for _ in occupants]
                    errors[index] = as_api_error(
                        exc, fields=s.RoomOccupantSerializer.Meta.fields, model=m.Occupancy
                    ).detail
                    raise serializers.ValidationError({"occupants": errors}) from exc
                room._api_notices = [*room._api_notices, *notices]


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
