"""Viewsets of the data review (scoped; the filtersets of the list pages)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from ...framework.api.viewsets import ObjectViewSet, ReadOnlyObjectViewSet
from .. import filtersets as f
from .. import models as m
from .. import services
from . import serializers as s


class RequiredFieldViewSet(ObjectViewSet):
    """应填字段（应填尽填的规则数据，由机关事务管理局维护）。"""

    queryset = m.RequiredField.objects.all()
    serializer_class = s.RequiredFieldSerializer
    filterset_class = f.RequiredFieldFilterSet


class ReviewViewSet(ReadOnlyObjectViewSet):
    """数据会审（只读）。"""

    queryset = m.Review.objects.select_related("region")
    serializer_class = s.ReviewSerializer
    filterset_class = f.ReviewFilterSet


class AssignmentViewSet(ObjectViewSet):
    """交叉互审安排（由机关事务管理局安排）。"""

    queryset = m.Assignment.objects.select_related("review")
    serializer_class = s.AssignmentSerializer
    filterset_class = f.AssignmentFilterSet


class FindingViewSet(ReadOnlyObjectViewSet):
    """会审问题：责任单位整改（rectify），会审人员复核（recheck）。"""

    queryset = m.Finding.objects.select_related("organization", "review")
    serializer_class = s.FindingSerializer
    filterset_class = f.FindingFilterSet

    def _act(self, request, serializer_class, run):
        finding = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            finding = run(finding, data.validated_data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(s.FindingSerializer(finding, context={"request": request}).data)

    @extend_schema(request=s.RectifySerializer, responses=s.FindingSerializer)
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        return self._act(
            request,
            s.RectifySerializer,
            lambda finding, d: services.rectify(
                finding=finding,
                actor=request.user,
                note=d["note"],
                expected_version=d.get("version"),
            ),
        )

    @extend_schema(request=s.RecheckSerializer, responses=s.FindingSerializer)
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        return self._act(
            request,
            s.RecheckSerializer,
            lambda finding, d: services.recheck(
                finding=finding,
                actor=request.user,
                passed=d["passed"],
                note=d["note"],
                expected_version=d.get("version"),
            ),
        )
