"""Viewsets of survey: batches (CRUD through the service, plus submit / decide / sign / revert,
each honouring ``If-Match``), and the drawings, items and confirmations read only."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from ...framework.api.permissions import ReadersMayAct
from ...framework.api.schema import IF_MATCH
from ...framework.api.steps import StepActionMixin
from ...framework.api.viewsets import ObjectViewSet, ReadOnlyObjectViewSet
from .. import filtersets as f
from .. import models as m
from .. import services
from . import serializers as s


class SurveyBatchViewSet(StepActionMixin, ObjectViewSet):
    """测绘批次：机关事务管理局安排；测绘单位账号只见分配给它的批次，单位只见涉及其房间的批次。"""

    queryset = m.SurveyBatch.objects.select_related("region").prefetch_related(
        "buildings", "surveyors"
    )
    serializer_class = s.SurveyBatchSerializer
    filterset_class = f.SurveyBatchFilterSet
    # Steps the services authorize: the batch is found with the reader's scope.
    read_scope_actions = ("submit", "decide", "sign", "revert")

    @extend_schema(request=None, responses={200: s.SurveyBatchSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], permission_classes=[ReadersMayAct])
    def submit(self, request, pk=None) -> Response:
        """测绘单位提交三方确认（各楼层图纸均可用时）。"""
        return self.step(
            request,
            None,
            lambda b, d, v: services.submit(actor=request.user, batch=b, expected_version=v),
        )

    @extend_schema(
        request=s.SurveyDecisionSerializer,
        responses={200: s.SurveyBatchSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], permission_classes=[ReadersMayAct])
    def decide(self, request, pk=None) -> Response:
        """以某方身份确认或对房间提出异议（异议须填理由，批次退回测绘单位）。"""

        def run(batch, data, version):
            ids = data.pop("items", None)
            items = list(m.SurveyItem.objects.filter(batch=batch, pk__in=ids)) if ids else None
            if ids and len(items) != len(set(ids)):
                raise DjangoValidationError({"items": "所选房间不属于本批次。"})
            return services.decide(
                actor=request.user, batch=batch, items=items, expected_version=version, **data
            )

        return self.step(request, s.SurveyDecisionSerializer, run)

    @extend_schema(
        request=s.SurveySignSerializer,
        responses={200: s.SurveyBatchSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], permission_classes=[ReadersMayAct])
    def sign(self, request, pk=None) -> Response:
        """负责人签字确认（登录密码 + 动态口令）；三方签字后测绘成果入账。"""
        return self.step(
            request,
            s.SurveySignSerializer,
            lambda b, d, v: services.sign(actor=request.user, batch=b, expected_version=v, **d),
        )

    @extend_schema(request=None, responses={200: s.SurveyBatchSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], permission_classes=[ReadersMayAct])
    def revert(self, request, pk=None) -> Response:
        """撤销入账（入账后房间未再变动时）。"""
        return self.step(
            request,
            None,
            lambda b, d, v: services.revert(actor=request.user, batch=b, expected_version=v),
        )


class SurveyDrawingViewSet(ReadOnlyObjectViewSet):
    """测绘图纸（只读；上传在批次页面）。"""

    queryset = m.SurveyDrawing.objects.select_related("batch", "floor")
    serializer_class = s.SurveyDrawingSerializer
    filterset_class = f.SurveyDrawingFilterSet


class SurveyItemViewSet(ReadOnlyObjectViewSet):
    """核对房间（只读；确认与异议经批次的 decide）。单位只见本单位的房间。"""

    queryset = m.SurveyItem.objects.select_related("batch", "floor", "organization", "room")
    serializer_class = s.SurveyItemSerializer
    filterset_class = f.SurveyItemFilterSet


class SurveyConfirmationViewSet(ReadOnlyObjectViewSet):
    """三方确认意见（只读）。"""

    queryset = m.SurveyConfirmation.objects.select_related("batch", "organization", "actor")
    serializer_class = s.SurveyConfirmationSerializer
    filterset_class = f.SurveyConfirmationFilterSet


ROUTES = (
    ("batches", SurveyBatchViewSet),
    ("drawings", SurveyDrawingViewSet),
    ("items", SurveyItemViewSet),
    ("confirmations", SurveyConfirmationViewSet),
)
