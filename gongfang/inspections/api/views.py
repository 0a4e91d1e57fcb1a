"""Viewsets of inspections: checklists, assessment dates, plans and tips (generic writes through
their services); inspections, item checks and measurements read-only with their steps."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from ...framework.api.schema import IF_MATCH
from ...framework.api.steps import StepActionMixin, service_refusals
from ...framework.api.viewsets import ObjectViewSet, ReadOnlyObjectViewSet
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


class InspectionPlanViewSet(StepActionMixin, ObjectViewSet):
    """督查计划；generate 按计划范围逐单位生成督查检查（机关事务管理员）。"""

    queryset = InspectionPlan.objects.select_related("region", "checklist").prefetch_related(
        "organizations", "team"
    )
    serializer_class = s.InspectionPlanSerializer
    filterset_class = f.InspectionPlanFilterSet
    read_scope_actions = ("generate",)

    @extend_schema(
        request=None,
        responses={200: s.GeneratedSerializer, 400: OpenApiResponse(description="不能生成")},
    )
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def generate(self, request, pk=None) -> Response:
        """生成督查检查：计划范围内尚无检查的单位各生成一项，返回新生成的检查。"""
        plan = self.get_object()
        with service_refusals(model=InspectionPlan):
            created = services.generate_inspections(actor=request.user, plan=plan)
        body = {"count": len(created), "inspections": created}
        return Response(s.GeneratedSerializer(body, context={"request": request}).data)


class InspectionViewSet(StepActionMixin, ReadOnlyObjectViewSet):
    """督查检查（只读）；start 开始、finish 完成（督查组成员）。"""

    queryset = Inspection.objects.select_related(
        "plan", "organization", "region", "checklist"
    ).prefetch_related("inspectors")
    serializer_class = s.InspectionSerializer
    filterset_class = f.InspectionFilterSet
    read_scope_actions = ("start", "finish")

    @extend_schema(request=None, responses={200: s.InspectionSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def start(self, request, pk=None) -> Response:
        """开始检查。"""
        return self.step(
            request,
            None,
            lambda inspection, d, v: services.start_inspection(
                actor=request.user, inspection=inspection, expected_version=v
            ),
        )

    @extend_schema(request=None, responses={200: s.InspectionSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def finish(self, request, pk=None) -> Response:
        """完成检查：须每项均已记录结果。"""
        return self.step(
            request,
            None,
            lambda inspection, d, v: services.finish_inspection(
                actor=request.user, inspection=inspection, expected_version=v
            ),
        )


class ItemCheckViewSet(ReadOnlyObjectViewSet):
    """检查项结果（只读，现场页面记录）。"""

    queryset = ItemCheck.objects.select_related("inspection", "item", "checked_by")
    serializer_class = s.ItemCheckSerializer
    filterset_class = f.ItemCheckFilterSet


class MeasurementViewSet(StepActionMixin, ReadOnlyObjectViewSet):
    """实地测量（只读，现场页面记录）；accept 采纳、reject 退回（机关事务管理员）。"""

    queryset = Measurement.objects.select_related("inspection__region", "room", "measured_by")
    serializer_class = s.MeasurementSerializer
    filterset_class = f.MeasurementFilterSet
    read_scope_actions = ("accept", "reject")

    @extend_schema(request=None, responses={200: s.MeasurementSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def accept(self, request, pk=None) -> Response:
        """采纳：经台账服务把实测面积写入房间（来源：实地测量），记入变更记录。"""
        return self.step(
            request,
            None,
            lambda measurement, d, v: services.accept_measurement(
                actor=request.user, measurement=measurement, expected_version=v
            ),
        )

    @extend_schema(
        request=s.RejectSerializer, responses={200: s.MeasurementSerializer}, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def reject(self, request, pk=None) -> Response:
        """退回：台账不变，须说明理由。"""
        return self.step(
            request,
            s.RejectSerializer,
            lambda measurement, d, v: services.reject_measurement(
                actor=request.user,
                measurement=measurement,
                reason=d["reject_reason"],
                expected_version=v,
            ),
        )


class TipViewSet(StepActionMixin, ObjectViewSet):
    """问题线索；transition 办理（交办、开始核查、答复、办结、退回重新核查）。"""

    queryset = Tip.objects.select_related("organization", "region", "assigned_to")
    serializer_class = s.TipSerializer
    filterset_class = f.TipFilterSet
    read_scope_actions = ("transition",)

    @extend_schema(
        request=s.TipTransitionSerializer,
        responses={200: s.TipSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], permission_classes=[CanView])
    def transition(self, request, pk=None) -> Response:
        """办理线索。"""

        def run(tip: Tip, data: dict, version: int | None) -> Tip:
            step = data.pop("action")
            assignee = data.pop("assigned_to", None)
            if assignee is not None:
                data["assigned_to"] = (
                    services.team_candidates(tip.region).filter(pk=assignee).first()
                )
                if data["assigned_to"] is None:
                    raise exceptions.ValidationError(
                        {"assigned_to": ["承办人须为可督查该单位的账号。"]}
                    )
            return services.tip_transition(
                actor=request.user, tip=tip, action=step, expected_version=version, **data
            )

        return self.step(request, s.TipTransitionSerializer, run)
