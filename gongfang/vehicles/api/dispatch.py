"""API of dispatch (``/api/vehicles/dispatches/``): list, detail, request (POST) and one POST
per step (approve, reject, assign, depart, return, cancel), each through ``vehicles.dispatch``.
A step honours ``If-Match`` (412 when the dispatch moved on since it was read)."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ...framework.api.schema import IF_MATCH
from ...framework.api.serializers import ObjectSerializer, ScopedPrimaryKeyRelatedField
from ...framework.api.steps import StepActionMixin, StepRun, service_refusals
from ...framework.api.viewsets import ReadOnlyObjectViewSet
from ...registry.models import Organization
from .. import dispatch as services
from ..dispatch_selectors import DispatchFilterSet
from ..models import Dispatch, Driver, Vehicle


class DispatchSerializer(ObjectSerializer):
    """派车单：用车申请 → 审批 → 派车（车辆、驾驶员）→ 出车（出车里程）→ 还车（还车里程）；可驳回、出车前可取消。"""

    distance = serializers.IntegerField(read_only=True, allow_null=True, label="行驶里程（公里）")

    class Meta(ObjectSerializer.Meta):
        model = Dispatch


class RequestSerializer(serializers.Serializer):
    """申请用车：用车单位、事由、乘车人数、出发地、目的地、开始与预计结束时间。"""

    organization = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), label="用车单位"
    )
    purpose = serializers.CharField(label="用车事由", max_length=200)
    passengers = serializers.IntegerField(label="乘车人数", min_value=1, max_value=60)
    origin = serializers.CharField(label="出发地", max_length=100)
    destination = serializers.CharField(label="目的地", max_length=100)
    start_at = serializers.DateTimeField(label="用车开始时间")
    end_at = serializers.DateTimeField(label="预计结束时间")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label="理由", max_length=300, required=False, allow_blank=True)


class AssignSerializer(serializers.Serializer):
    vehicle = ScopedPrimaryKeyRelatedField(queryset=Vehicle.objects.all(), label="车辆")
    driver = ScopedPrimaryKeyRelatedField(queryset=Driver.objects.all(), label="驾驶员")


class DepartSerializer(serializers.Serializer):
    start_mileage = serializers.IntegerField(
        label="出车里程（公里）", min_value=0, max_value=9_999_999
    )


class ReturnSerializer(serializers.Serializer):
    end_mileage = serializers.IntegerField(
        label="还车里程（公里）", min_value=0, max_value=9_999_999
    )


def _by_keywords(service: Callable[..., Dispatch], actor) -> StepRun:
    """A step's run calling a dispatch service the way they all are: by keyword."""
    return lambda dispatch, data, version: service(
        actor=actor, dispatch=dispatch, expected_version=version, **data
    )


class DispatchViewSet(StepActionMixin, mixins.CreateModelMixin, ReadOnlyObjectViewSet):
    """派车单：列表、详情；POST 申请用车；approve/reject/assign/depart/return/cancel 办理各环节。"""

    queryset = Dispatch.objects.select_related("organization", "vehicle", "driver")
    serializer_class = DispatchSerializer
    filterset_class = DispatchFilterSet

    @extend_schema(
        request=RequestSerializer,
        responses={201: DispatchSerializer},
    )
    def create(self, request, *args, **kwargs) -> Response:
        """申请用车（单位管理员或机关事务管理员，为其管辖范围内的单位）。"""
        body = RequestSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        with service_refusals(fields=list(body.fields), model=Dispatch):
            dispatch = services.request_dispatch(actor=request.user, **body.validated_data)
        self._etag_instance = dispatch
        return Response(self.get_serializer(dispatch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: DispatchSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None) -> Response:
        """同意用车（本单位审批人；申请人本人不能审批）。"""
        return self.step(request, None, _by_keywords(services.approve_dispatch, request.user))

    @extend_schema(
        request=ReasonSerializer,
        responses={200: DispatchSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None) -> Response:
        """驳回用车申请，须填写理由（reason）。"""
        return self.step(
            request, ReasonSerializer, _by_keywords(services.reject_dispatch, request.user)
        )

    @extend_schema(
        request=AssignSerializer,
        responses={200: DispatchSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None) -> Response:
        """派车：车辆与驾驶员在该时段已有派车时拒绝，并指明冲突的派车单。"""
        return self.step(
            request, AssignSerializer, _by_keywords(services.assign_dispatch, request.user)
        )

    @extend_schema(
        request=DepartSerializer,
        responses={200: DispatchSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def depart(self, request, pk=None) -> Response:
        """出车：填写出车里程（不小于车辆登记里程）。"""
        return self.step(
            request, DepartSerializer, _by_keywords(services.depart_dispatch, request.user)
        )

    @extend_schema(
        request=ReturnSerializer,
        responses={200: DispatchSerializer},
        parameters=[IF_MATCH],
        operation_id="vehicles_dispatches_return_create",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None) -> Response:
        """还车：填写还车里程（不小于出车里程），车辆里程随之更新。"""
        return self.step(
            request, ReturnSerializer, _by_keywords(services.return_dispatch, request.user)
        )

    @extend_schema(
        request=ReasonSerializer,
        responses={200: DispatchSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None) -> Response:
        """取消用车（出车前），可填写原因（reason）。"""
        return self.step(
            request, ReasonSerializer, _by_keywords(services.cancel_dispatch, request.user)
        )


def register(router) -> None:
    """Called by ``vehicles/api/urls.py``."""
    router.register("dispatches", DispatchViewSet)
