"""Viewsets of maintenance: every model through its service; a project's stage actions."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from ...framework.api.schema import IF_MATCH
from ...framework.api.steps import StepActionMixin
from ...framework.api.viewsets import ObjectViewSet
from .. import filtersets as f
from .. import services
from ..models import (
    Budget,
    Expense,
    MaintenancePayment,
    MaintenanceProject,
    PlanProposal,
    ProgressReport,
    ServiceContract,
    StageRequirement,
    ThreeYearPlan,
)
from . import serializers as s

STAGE_ERRORS = {400: OpenApiResponse(description="该环节不能办理（阶段、资料或数据不符）")}


class MaintenanceProjectViewSet(StepActionMixin, ObjectViewSet):
    """维修项目；submit 申请立项，start 开始实施，accept 验收，evaluate 评价，archive 归档。"""

    queryset = MaintenanceProject.objects.select_related(
        "building__compound", "compound", "organization", "region", "case"
    )
    serializer_class = s.MaintenanceProjectSerializer
    filterset_class = f.MaintenanceProjectFilterSet

    @extend_schema(
        request=s.SubmitSerializer,
        responses={200: s.MaintenanceProjectSerializer, **STAGE_ERRORS},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None) -> Response:
        """申请立项：生成并提交“维修项目立项”审批事项。"""

        def run(project: MaintenanceProject, data: dict, version: int | None) -> MaintenanceProject:
            services.submit_project(
                actor=request.user,
                project=project,
                amount=data.get("amount"),
                expected_version=version,
            )
            return project

        return self.step(request, s.SubmitSerializer, run)

    @extend_schema(
        request=s.StartWorksSerializer,
        responses={200: s.MaintenanceProjectSerializer, **STAGE_ERRORS},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None) -> Response:
        """开始实施（须已立项并上传合同等资料）。"""
        return self.step(
            request,
            s.StartWorksSerializer,
            lambda p, d, v: services.start_works(
                actor=request.user, project=p, expected_version=v, **d
            ),
        )

    @extend_schema(
        request=s.AcceptSerializer,
        responses={200: s.MaintenanceProjectSerializer, **STAGE_ERRORS},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None) -> Response:
        """竣工验收（进度须 100%，并上传照片等资料）。"""
        return self.step(
            request,
            s.AcceptSerializer,
            lambda p, d, v: services.accept(
                actor=request.user,
                project=p,
                accepted_on=d["accepted_on"],
                result=d["result"],
                note=d.get("note", ""),
                expected_version=v,
            ),
        )

    @extend_schema(
        request=s.EvaluateSerializer,
        responses={200: s.MaintenanceProjectSerializer, **STAGE_ERRORS},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None) -> Response:
        """项目评价（机关事务管理局，验收合格后）。"""
        return self.step(
            request,
            s.EvaluateSerializer,
            lambda p, d, v: services.evaluate(
                actor=request.user, project=p, expected_version=v, **d
            ),
        )

    @extend_schema(
        request=None,
        responses={200: s.MaintenanceProjectSerializer, **STAGE_ERRORS},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None) -> Response:
        """资料归档（机关事务管理局，评价后且资料齐全）。"""
        return self.step(
            request,
            s.SubmitSerializer,
            lambda p, d, v: services.archive(actor=request.user, project=p, expected_version=v),
        )


class ProgressReportViewSet(ObjectViewSet):
    """实施进度报告。"""

    queryset = ProgressReport.objects.select_related("project")
    serializer_class = s.ProgressReportSerializer
    filterset_class = f.ProgressReportFilterSet


class MaintenancePaymentViewSet(ObjectViewSet):
    """维修付款。"""

    queryset = MaintenancePayment.objects.select_related("project")
    serializer_class = s.MaintenancePaymentSerializer
    filterset_class = f.MaintenancePaymentFilterSet


class ThreeYearPlanViewSet(ObjectViewSet):
    """三年维修规划。"""

    queryset = ThreeYearPlan.objects.select_related("region", "case")
    serializer_class = s.ThreeYearPlanSerializer
    filterset_class = f.ThreeYearPlanFilterSet


class PlanProposalViewSet(ObjectViewSet):
    """规划申报项目。"""

    queryset = PlanProposal.objects.select_related("plan", "building__compound", "organization")
    serializer_class = s.PlanProposalSerializer
    filterset_class = f.PlanProposalFilterSet


class ServiceContractViewSet(ObjectViewSet):
    """物业服务合同。"""

    queryset = ServiceContract.objects.select_related(
        "compound", "building__compound", "organization", "region"
    )
    serializer_class = s.ServiceContractSerializer
    filterset_class = f.ServiceContractFilterSet


class BudgetViewSet(ObjectViewSet):
    """经费预算（含计算的已支出）。"""

    queryset = Budget.objects.select_related("organization", "compound", "region")
    serializer_class = s.BudgetSerializer
    filterset_class = f.BudgetFilterSet


class ExpenseViewSet(ObjectViewSet):
    """经费支出（能耗、租金）。"""

    queryset = Expense.objects.select_related("organization", "compound", "region")
    serializer_class = s.ExpenseSerializer
    filterset_class = f.ExpenseFilterSet


class StageRequirementViewSet(ObjectViewSet):
    """各环节须备资料：全国通用的规定只读；地方规定由管辖其区划的机关事务管理员维护。"""

    queryset = StageRequirement.objects.select_related("region")
    serializer_class = s.StageRequirementSerializer
    filterset_class = f.StageRequirementFilterSet
