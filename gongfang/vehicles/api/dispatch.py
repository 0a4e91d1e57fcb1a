"""API of dispatch (``/api/vehicles/dispatches/``): list, detail, request (POST) and one POST
per step (approve, reject, assign, depart, return, cancel), each through ``vehicles.dispatch``.
A step honours ``If-Match`` (412 when the dispatch moved on since it was read)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ...framework.api.exceptions import as_api_error
from ...framework.api.schema import IF_MATCH
from ...framework.api.serializers import ObjectSerializer, ScopedPrimaryKeyRelatedField
from ...framework.api.viewsets import PreconditionFailed, ReadOnlyObjectViewSet, expected_version
from ...framework.versions import StaleObjectError
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


class DispatchViewSet(mixins.CreateModelMixin, ReadOnlyObjectViewSet):
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
        try:
            dispatch = services.request_dispatch(actor=request.user, **body.validated_data)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise as_api_error(exc, fields=list(body.fields), model=Dispatch) from exc
        self._etag_instance = dispatch
        return Response(self.get_serializer(dispatch).data, status=status.HTTP_201_CREATED)

    def _step(self, request, body_class, run) -> Response:
        dispatch = self.get_object()
        data = {}
        if body_class is not None:
            body = body_class(data=request.data, context={"request": request})
            body.is_valid(raise_exception=True)
            data = body.validated_data
        try:
            dispatch = run(
                actor=request.user,
                dispatch=dispatch,
                expected_version=expected_version(request, Dispatch),
                **data,
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except StaleObjectError as exc:
            raise PreconditionFailed(exc.messages[0]) from exc
        except DjangoValidationError as exc:
            fields = list(body_class().fields) if body_class is not None else []
            raise as_api_error(exc, fields=fields, model=Dispatch) from exc
        self._etag_instance = dispatch
        return Response(self.get_serializer(dispatch).data)

    @extend_schema(request=None, responses={200: DispatchSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None) -> Response:
        """同意用车（本单位审批人；申请人本人不能审批）。"""
        return self._step(request, None, services.approve_dispatch)

    @extend_schema(
        request=ReasonSerializer,
        responses={200: DispatchSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None) -> Response:
        """驳回用车申请，须填写理由（reason）。"""
        return self._step(request, ReasonSerializer, services.reject_dispatch)

    @extend_schema(
        request=AssignSerializer,
        responses={200: DispatchSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None) -> Response:
        """派车：车辆与驾驶员在该时段已有派车时拒绝，并指明冲突的派车单。"""
        return self._step(request, AssignSerializer, services.assign_dispatch)

    @extend_schema(
        request=DepartSerializer,
        responses={200: DispatchSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def depart(self, request, pk=None) -> Response:
        """出车：填写出车里程（不小于车辆登记里程）。"""
        return self._step(request, DepartSerializer, services.depart_dispatch)

    @extend_schema(
        request=ReturnSerializer,
        responses={200: DispatchSerializer},
        parameters=[IF_MATCH],
        operation_id="vehicles_dispatches_return_create",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None) -> Response:
        """还车：填写还车里程（不小于出车里程），车辆里程随之更新。"""
        return self._step(request, ReturnSerializer, services.return_dispatch)

    @extend_schema(
        request=ReasonSerializer,
        responses={200: DispatchSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None) -> Response:
        """取消用车（出车前），可填写原因（reason）。"""
        return self._step(request, ReasonSerializer, services.cancel_dispatch)


def register(router) -> None:
    """Called by ``vehicles/api/urls.py``."""
    router.register("dispatches", DispatchViewSet)
