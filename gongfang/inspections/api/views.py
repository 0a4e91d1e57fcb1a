"""Viewsets of inspections: checklists, assessment dates, plans and tips (generic writes through
their services); inspections, item checks and measurements read-only with their steps."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from ...framework.api.exceptions import as_api_error
from ...framework.api.schema import IF_MATCH
from ...framework.api.viewsets import (
    ObjectViewSet,
    PreconditionFailed,
    ReadOnlyObjectViewSet,
    expected_version,
)
from ...framework.versions import StaleObjectError
from .. import filtersets as f
from .. import services
from ..models import (
    AssessmentDate,
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionPlan,
    ItemCheck,
    Measurement,
    Tip,
)
from . import serializers as s


class CanView(BasePermission):
    """The account may read the model; who may take a step is the service's to decide."""

    message = "您没有查看该对象的权限。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.has_model_perm(view.queryset.model, "view")
        )


def _visible(view, pk):
    """The object of a step, read with the view scope (404 outside it)."""
    try:
        obj = view.queryset.restrict(view.request.user, "view").get(pk=int(pk))
    except (view.queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise exceptions.NotFound("没有找到该对象。") from None
    view._etag_instance = obj
    return obj


def _call(model, fields, fn, **kwargs):
    """Run a step; its refusals as the API's 403 / 412 / 400."""
    try:
        return fn(**kwargs)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc
    except StaleObjectError as exc:
        raise PreconditionFailed(exc.messages[0]) from exc
    except DjangoValidationError as exc:
        raise as_api_error(exc, fields=fields, model=model) from exc


class ChecklistViewSet(ObjectViewSet):
    """督查清单（版本）。"""

    queryset = Checklist.objects.all()
    serializer_class = s.ChecklistSerializer
    filterset_class = f.ChecklistFilterSet


class ChecklistItemViewSet(ObjectViewSet):
    """督查清单项。"""

    queryset = ChecklistItem.objects.select_related("checklist")
    serializer_class = s.ChecklistItemSerializer
    filterset_class = f.ChecklistItemFilterSet


class AssessmentDateViewSet(ObjectViewSet):
    """政府考核日期。"""

    queryset = AssessmentDate.objects.select_related("region")
    serializer_class = s.AssessmentDateSerializer
    filterset_class = f.AssessmentDateFilterSet


class InspectionPlanViewSet(ObjectViewSet):
    """督查计划；generate 按计划范围逐单位生成督查检查（机关事务管理员）。"""

    queryset = InspectionPlan.objects.select_related("region", "checklist").prefetch_related(
        "organizations", "team"
    )
    serializer_class = s.InspectionPlanSerializer
    filterset_class = f.InspectionPlanFilterSet

    @extend_schema(
        request=None,
        responses={200: s.GeneratedSerializer, 400: OpenApiResponse(description="不能生成")},
    )
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def generate(self, request, pk=None) -> Response:
        """生成督查检查：计划范围内尚无检查的单位各生成一项，返回新生成的检查。"""
        plan = _visible(self, pk)
        created = _call(
            InspectionPlan, [], services.generate_inspections, actor=request.user, plan=plan
        )
        body = {"count": len(created), "inspections": created}
        return Response(s.GeneratedSerializer(body, context={"request": request}).data)


class InspectionViewSet(ReadOnlyObjectViewSet):
    """督查检查（只读）；start 开始、finish 完成（督查组成员）。"""

    queryset = Inspection.objects.select_related(
        "plan", "organization", "region", "checklist"
    ).prefetch_related("inspectors")
    serializer_class = s.InspectionSerializer
    filterset_class = f.InspectionFilterSet

    @extend_schema(request=None, responses={200: s.InspectionSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def start(self, request, pk=None) -> Response:
        """开始检查。"""
        inspection = _visible(self, pk)
        done = _call(
            Inspection,
            [],
            services.start_inspection,
            actor=request.user,
            inspection=inspection,
            expected_version=expected_version(request, Inspection),
        )
        self._etag_instance = done
        return Response(self.get_serializer(done).data)

    @extend_schema(request=None, responses={200: s.InspectionSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def finish(self, request, pk=None) -> Response:
        """完成检查：须每项均已记录结果。"""
        inspection = _visible(self, pk)
        done = _call(
            Inspection,
            [],
            services.finish_inspection,
            actor=request.user,
            inspection=inspection,
            expected_version=expected_version(request, Inspection),
        )
        self._etag_instance = done
        return Response(self.get_serializer(done).data)


class ItemCheckViewSet(ReadOnlyObjectViewSet):
    """检查项结果（只读，现场页面记录）。"""

    queryset = ItemCheck.objects.select_related("inspection", "item", "checked_by")
    serializer_class = s.ItemCheckSerializer
    filterset_class = f.ItemCheckFilterSet


class MeasurementViewSet(ReadOnlyObjectViewSet):
    """实地测量（只读，现场页面记录）；accept 采纳、reject 退回（机关事务管理员）。"""

    queryset = Measurement.objects.select_related("inspection__region", "room", "measured_by")
    serializer_class = s.MeasurementSerializer
    filterset_class = f.MeasurementFilterSet

    @extend_schema(request=None, responses={200: s.MeasurementSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def accept(self, request, pk=None) -> Response:
        """采纳：经台账服务把实测面积写入房间（来源：实地测量），记入变更记录。"""
        measurement = _visible(self, pk)
        _call(
            Measurement,
            ["measured_area"],
            services.accept_measurement,
            actor=request.user,
            measurement=measurement,
            expected_version=expected_version(request, Measurement),
        )
        return Response(self.get_serializer(measurement).data)

    @extend_schema(
        request=s.RejectSerializer, responses={200: s.MeasurementSerializer}, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def reject(self, request, pk=None) -> Response:
        """退回：台账不变，须说明理由。"""
        measurement = _visible(self, pk)
        body = s.RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _call(
            Measurement,
            ["reject_reason"],
            services.reject_measurement,
            actor=request.user,
            measurement=measurement,
            reason=body.validated_data["reject_reason"],
            expected_version=expected_version(request, Measurement),
        )
        return Response(self.get_serializer(measurement).data)


class TipViewSet(ObjectViewSet):
    """问题线索；transition 办理（交办、开始核查、答复、办结、退回重新核查）。"""

    queryset = Tip.objects.select_related("organization", "region", "assigned_to")
    serializer_class = s.TipSerializer
    filterset_class = f.TipFilterSet

    @extend_schema(
        request=s.TipTransitionSerializer,
        responses={200: s.TipSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def transition(self, request, pk=None) -> Response:
        """办理线索。"""
        tip = _visible(self, pk)
        body = s.TipTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        step = data.pop("action")
        assignee = data.pop("assigned_to", None)
        if assignee is not None:
            data["assigned_to"] = services.team_candidates(tip.region).filter(pk=assignee).first()
            if data["assigned_to"] is None:
                raise exceptions.ValidationError(
                    {"assigned_to": ["承办人须为可督查该单位的账号。"]}
                )
        _call(
            Tip,
            ["assigned_to", "deadline", "check_result", "substantiated", "answer", "action"],
            services.tip_transition,
            actor=request.user,
            tip=tip,
            action=step,
            expected_version=expected_version(request, Tip),
            **data,
        )
        return Response(self.get_serializer(tip).data)
