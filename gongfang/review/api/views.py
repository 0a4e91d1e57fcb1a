"""Viewsets of the data review (scoped; the filtersets of the list pages)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission

from ...framework.api.permissions import view_model
from ...framework.api.steps import StepActionMixin
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


class ReadersMayAct(BasePermission):
    """A finding's actions are the services' (a unit rectifies, a cross reviewer re-checks, with
    read-only model rights): the role must read findings; the service decides the rest."""

    message = "您没有执行该操作的权限。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and user.has_model_perm(view_model(view), "view")
        )


def _version(data: dict, if_match: int | None) -> int | None:
    """The version a finding's action is based on: ``If-Match``, else the body's ``version``."""
    return data.get("version") if if_match is None else if_match


class FindingViewSet(StepActionMixin, ReadOnlyObjectViewSet):
    """会审问题：责任单位整改（rectify），会审人员复核（recheck）；可用 If-Match 指明所依据的版本。"""

    queryset = m.Finding.objects.select_related("organization", "review")
    serializer_class = s.ReviewFindingSerializer
    filterset_class = f.FindingFilterSet
    permission_classes = (ReadersMayAct,)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.queryset.restrict(self.request.user, "view")

    @extend_schema(request=s.ReviewRectifySerializer, responses=s.ReviewFindingSerializer)
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        return self.step(
            request,
            s.ReviewRectifySerializer,
            lambda finding, d, v: services.rectify(
                finding=finding, actor=request.user, note=d["note"], expected_version=_version(d, v)
            ),
        )

    @extend_schema(request=s.ReviewRecheckSerializer, responses=s.ReviewFindingSerializer)
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        return self.step(
            request,
            s.ReviewRecheckSerializer,
            lambda finding, d, v: services.recheck(
                finding=finding,
                actor=request.user,
                passed=d["passed"],
                note=d["note"],
                expected_version=_version(d, v),
            ),
        )
