"""Viewsets of the compliance API: warnings (list, detail, counts, transition) and the
entitlement explanations (a person's limit and why; a room's occupants; an organization's §4.3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from ...framework.api.exceptions import as_api_error
from ...framework.api.permissions import ScopedModelPermission
from ...framework.api.viewsets import ReadOnlyObjectViewSet, ScopedViewSetMixin
from ...registry.models import Organization, Person, Room
from .. import selectors
from ..filtersets import WarningFilterSet
from ..models import Warning
from ..services import TRANSITIONS, transition
from . import serializers as s

TAG = "超标预警"


class CanViewWarnings(BasePermission):
    """The account's roles let it read warnings (a transition's own rules are the service's)."""

    message = "您没有查看超标预警的权限。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_model_perm(Warning, "view"))


class NoStandardInForce(exceptions.APIException):
    status_code = 409
    default_detail = "没有有效的面积标准版本，无法核定。"
    default_code = "no_standard"


class WarningViewSet(ReadOnlyObjectViewSet):
    """超标预警：系统按规则生成、更新和自动解除；列表可按规则、状态、区划、单位、逾期、日期筛选。"""

    queryset = Warning.objects.select_related(
        "region", "organization", "room", "person", "building", "approver"
    )
    serializer_class = s.WarningSerializer
    filterset_class = WarningFilterSet

    @extend_schema(
        tags=[TAG],
        summary="处理超标预警（开始整改、整改完成、暂不整改、备案、重新打开）",
        request=s.TransitionSerializer,
        responses={
            200: s.WarningSerializer,
            202: s.WaiverRequestSerializer,
            400: OpenApiResponse(description="不符合处理条件"),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CanViewWarnings])
    def transition(self, request, pk=None):
        warning = get_object_or_404(self.queryset.restrict(request.user, "view"), pk=pk)
        payload = s.TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            warning = transition(
                actor=request.user,
                warning=warning,
                action=data["action"],
                mode=data.get("mode", ""),
                deadline=data.get("deadline"),
                reason=data.get("reason", ""),
                approver=data.get("approver"),
            )
        except DjangoValidationError as exc:
            raise as_api_error(
                exc, fields=("mode", "deadline", "reason", "approver"), model=Warning
            ) from exc
        pending = getattr(warning, "waiver_request", None)
        if pending is not None:
            label = TRANSITIONS[data["action"]].label
            return Response(
                {
                    "detail": f"“{label}”申请已提交审批（{pending.number}），"
                    "审批人签批后预警状态才改变。",
                    "case": pending.number,
                    "case_url": request.build_absolute_uri(pending.url) if pending.url else "",
                },
                status=202,
            )
        warning = self.queryset.get(pk=warning.pk)
        return Response(s.WarningSerializer(warning, context={"request": request}).data)

    @extend_schema(
        tags=[TAG],
        summary="超标预警统计（按规则、状态、下级区划、单位）",
        responses=s.CountsSerializer,
    )
    @action(detail=False, methods=["get"])
    def counts(self, request):
        rows = self.filter_queryset(self.get_queryset())
        query = {k: v for k, v in request.query_params.items() if v}
        return Response(s.CountsSerializer(selectors.counts(request.user, rows, query)).data)


class EntitlementViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """An explanation of one object in scope; needs the right to read it and to read warnings."""

    permission_classes = [ScopedModelPermission, CanViewWarnings]
    explain = None

    def retrieve(self, request, pk=None):
        obj = self.get_object()
        data = type(self).explain(request.user, obj)
        if "error" in data:
            raise NoStandardInForce(data["error"])
        context = {**self.get_serializer_context(), "object": obj}
        return Response(self.get_serializer_class()(data, context=context).data)


class PersonEntitlementViewSet(EntitlementViewSet):
    """人员的办公室面积标准及其依据。"""

    queryset = Person.objects.select_related("organization")
    serializer_class = s.PersonEntitlementSerializer
    explain = staticmethod(selectors.person_entitlement)

    @extend_schema(tags=[TAG], summary="人员的办公室面积标准及其依据")
    def retrieve(self, request, pk=None):
        return super().retrieve(request, pk)


class RoomEntitlementViewSet(EntitlementViewSet):
    """房间的使用人标准合计与结论。"""

    queryset = Room.objects.select_related("floor__building__compound", "organization")
    serializer_class = s.RoomEntitlementSerializer
    explain = staticmethod(selectors.room_explanation)

    @extend_schema(tags=[TAG], summary="房间的使用人标准合计与结论")
    def retrieve(self, request, pk=None):
        return super().retrieve(request, pk)


class OrganizationEntitlementViewSet(EntitlementViewSet):
    """单位核定面积（A+B）与实际使用面积。"""

    queryset = Organization.objects.select_related("region")
    serializer_class = s.OrganizationEntitlementSerializer
    explain = staticmethod(selectors.organization_explanation)

    @extend_schema(tags=[TAG], summary="单位核定面积（DESIGN §4.3）与实际使用面积")
    def retrieve(self, request, pk=None):
        return super().retrieve(request, pk)
