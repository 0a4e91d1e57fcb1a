"""API of findings, rectifications, re-checks, urges and referrals (``/api/inspections/…``).

Reads are the generic scoped ones; every write is an action calling the services of
:mod:`..findings` (raise a finding, respond, re-check, urge, refer, record an outcome), so the
API refuses what the pages refuse: 403 for a role that may not, 400 with a Chinese message by
field for bad input, 412 for a stale ``If-Match``.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ...compliance.models import Warning
from ...framework.api.permissions import ReadersMayAct
from ...framework.api.schema import IF_MATCH
from ...framework.api.serializers import (
    ObjectSerializer,
    ScopedPrimaryKeyRelatedField,
    id_field,
)
from ...framework.api.steps import StepActionMixin, service_refusals
from ...framework.api.viewsets import ReadOnlyObjectViewSet
from ...registry.models import Building, Organization, Person, Room
from .. import findings as services
from .. import findings_filtersets as f
from ..choices import RecheckResult, RectificationKind
from ..models import (
    ChecklistItem,
    Finding,
    Inspection,
    Recheck,
    Rectification,
    Referral,
    Tip,
    Urge,
)


# Serializers -----------------------------------------------------------------------------------
class InspectionFindingSerializer(ObjectSerializer):
    """督查问题：来源（检查、线索或监督发现）、责任单位、检查内容、涉及对象、整改方式与期限、状态、关联预警。
    overdue 为整改逾期（期限已过而单位尚未整改到位）。"""

    exclude_fields = ("subject_type",)
    subject_model = serializers.SerializerMethodField(label="涉及对象类型（应用.模型）")
    overdue = serializers.SerializerMethodField(label="整改逾期")

    class Meta(ObjectSerializer.Meta):
        model = Finding

    def get_subject_model(self, obj: Finding) -> str:
        if not obj.subject_type_id:
            return ""
        return f"{obj.subject_type.app_label}.{obj.subject_type.model}"

    def get_overdue(self, obj: Finding) -> bool:
        return services.is_overdue(obj)


class RectificationSerializer(ObjectSerializer):
    """整改情况：被检查单位对问题的整改反馈（证明材料为问题的档案资料）。"""

    class Meta(ObjectSerializer.Meta):
        model = Rectification


class RecheckSerializer(ObjectSerializer):
    """复查记录：整改到位销号，或不到位重新整改。"""

    class Meta(ObjectSerializer.Meta):
        model = Recheck


class UrgeSerializer(ObjectSerializer):
    """督办：对督查问题或超标预警的督办意见。"""

    class Meta(ObjectSerializer.Meta):
        model = Urge


class ReferralSerializer(ObjectSerializer):
    """移交纪检监察：移交的问题、移交材料（档案资料）、处理结果。"""

    class Meta(ObjectSerializer.Meta):
        model = Referral


class FindingCreateSerializer(serializers.Serializer):
    """登记问题：责任单位、来源（检查或线索，可不填）、检查内容、涉及对象（房间、人员或楼座选一）、问题描述、整改方式、期限。"""

    organization = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), label="责任单位"
    )
    inspection = ScopedPrimaryKeyRelatedField(
        queryset=Inspection.objects.all(), label="督查检查", required=False, allow_null=True
    )
    tip = ScopedPrimaryKeyRelatedField(
        queryset=Tip.objects.all(), label="问题线索", required=False, allow_null=True
    )
    item = serializers.PrimaryKeyRelatedField(
        queryset=ChecklistItem.objects.all(), label="检查内容", required=False, allow_null=True
    )
    room = ScopedPrimaryKeyRelatedField(
        queryset=Room.objects.all(), label="涉及房间", required=False, allow_null=True
    )
    person = ScopedPrimaryKeyRelatedField(
        queryset=Person.objects.all(), label="涉及人员", required=False, allow_null=True
    )
    building = ScopedPrimaryKeyRelatedField(
        queryset=Building.objects.all(), label="涉及楼座", required=False, allow_null=True
    )
    description = serializers.CharField(label="问题描述", max_length=4000)
    rectification_kind = serializers.ChoiceField(
        choices=RectificationKind.choices, label="整改方式"
    )
    deadline = serializers.DateField(label="整改期限", required=False, allow_null=True)

    def validate(self, attrs):
        chosen = [n for n in ("room", "person", "building") if attrs.get(n)]
        if len(chosen) > 1:
            raise serializers.ValidationError("涉及对象只能选择一个（房间、人员或楼座）。")
        return attrs


class RespondSerializer(serializers.Serializer):
    """反馈整改情况。"""

    description = serializers.CharField(label="整改情况", max_length=4000)


class RecheckInputSerializer(serializers.Serializer):
    """复查：结论、意见（未通过时必填）、新的整改期限（限期整改）、复查日期（默认今天）。"""

    result = serializers.ChoiceField(choices=RecheckResult.choices, label="复查结论")
    note = serializers.CharField(
        label="复查意见", max_length=4000, required=False, allow_blank=True
    )
    deadline = serializers.DateField(label="新的整改期限", required=False, allow_null=True)
    on = serializers.DateField(label="复查日期", required=False, allow_null=True)


class UrgeInputSerializer(serializers.Serializer):
    """督办意见。"""

    message = serializers.CharField(label="督办意见", max_length=2000)


class UrgeCreateSerializer(UrgeInputSerializer):
    """督办：问题或预警（二选一）及督办意见。"""

    finding = ScopedPrimaryKeyRelatedField(
        queryset=Finding.objects.all(), label="督查问题", required=False, allow_null=True
    )
    warning = ScopedPrimaryKeyRelatedField(
        queryset=Warning.objects.all(), label="预警", required=False, allow_null=True
    )


class ReferInputSerializer(serializers.Serializer):
    """移交纪检监察：问题编号（同一单位）、接收机关、移交日期（默认今天）。"""

    findings = serializers.ListField(
        child=id_field(), label="问题编号", allow_empty=False, max_length=500
    )
    recipient = serializers.CharField(
        label="接收机关", max_length=100, required=False, allow_blank=True
    )
    referred_on = serializers.DateField(label="移交日期", required=False, allow_null=True)


class OutcomeSerializer(serializers.Serializer):
    """处理结果及日期。"""

    outcome = serializers.CharField(label="处理结果", max_length=4000)
    outcome_on = serializers.DateField(label="结果日期")


# Viewsets --------------------------------------------------------------------------------------
class ServiceActionsMixin:
    """Rows reached in the account's read scope whatever the method (the service re-checks the
    scope of what it writes)."""

    permission_classes = (ReadersMayAct,)

    def get_queryset(self):
        queryset = self.queryset.all()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return queryset.restrict(self.request.user, "view")


REFUSED = OpenApiResponse(description="输入有误或当前状态不允许")
FORBIDDEN = OpenApiResponse(description="角色不能执行该操作")


class FindingViewSet(StepActionMixin, ServiceActionsMixin, ReadOnlyObjectViewSet):
    """督查问题：列表、详情；POST 登记问题（机关事务管理员、纪检监督、检查组成员）；respond 单位反馈整改；
    recheck 复查；urge 督办。"""

    queryset = Finding.objects.select_related(
        "organization", "region", "item", "warning", "subject_type"
    )
    serializer_class = InspectionFindingSerializer
    filterset_class = f.FindingFilterSet

    @extend_schema(
        request=FindingCreateSerializer,
        responses={
            201: InspectionFindingSerializer,
            200: InspectionFindingSerializer,
            400: REFUSED,
            403: FORBIDDEN,
        },
    )
    def create(self, request, *args, **kwargs) -> Response:
        """登记问题；与未销号问题关联同一预警时不重复登记，返回原问题（200）。"""
        if not services.can_add_finding(request.user):
            raise exceptions.PermissionDenied("您的角色不能登记问题。")
        body = FindingCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with service_refusals(fields=list(body.fields), model=Finding):
            finding = services.create_finding(
                user=request.user,
                organization=data["organization"],
                inspection=data.get("inspection"),
                tip=data.get("tip"),
                item=data.get("item"),
                subject=data.get("room") or data.get("person") or data.get("building"),
                description=data["description"],
                rectification_kind=data["rectification_kind"],
                deadline=data.get("deadline"),
            )
        self._etag_instance = finding
        code = status.HTTP_200_OK if finding.duplicate else status.HTTP_201_CREATED
        return Response(self.get_serializer(finding).data, status=code)

    @extend_schema(
        request=RespondSerializer,
        responses={200: InspectionFindingSerializer, 400: REFUSED, 403: FORBIDDEN},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None) -> Response:
        """被检查单位反馈整改情况（证明材料作为问题的档案资料上传）。"""

        def run(finding: Finding, data: dict, version: int | None) -> Finding:
            services.respond(
                user=request.user,
                finding=finding,
                description=data["description"],
                expected_version=version,
            )
            return finding

        return self.step(request, RespondSerializer, run)

    @extend_schema(
        request=RecheckInputSerializer,
        responses={200: InspectionFindingSerializer, 400: REFUSED, 403: FORBIDDEN},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None) -> Response:
        """复查：销号或重新整改。"""

        def run(finding: Finding, data: dict, version: int | None) -> Finding:
            services.recheck(
                user=request.user,
                finding=finding,
                result=data["result"],
                note=data.get("note", ""),
                deadline=data.get("deadline"),
                on=data.get("on"),
                expected_version=version,
            )
            return finding

        return self.step(request, RecheckInputSerializer, run)

    @extend_schema(
        request=UrgeInputSerializer,
        responses={201: UrgeSerializer, 400: REFUSED, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None) -> Response:
        """督办该问题（纪检监督、机关事务管理员）。"""
        finding = self.get_object()
        body = UrgeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_refusals(fields=["message"], model=Urge):
            row = services.urge(
                user=request.user, finding=finding, message=body.validated_data["message"]
            )
        return Response(UrgeSerializer(row, context={"request": request}).data, status=201)


class RectificationViewSet(ReadOnlyObjectViewSet):
    """整改情况（只读；经督查问题的 respond 反馈）。"""

    queryset = Rectification.objects.select_related("finding", "responded_by")
    serializer_class = RectificationSerializer
    filterset_class = f.RectificationFilterSet


class RecheckViewSet(ReadOnlyObjectViewSet):
    """复查记录（只读；经督查问题的 recheck 复查）。"""

    queryset = Recheck.objects.select_related("finding", "by")
    serializer_class = RecheckSerializer
    filterset_class = f.RecheckFilterSet


class UrgeViewSet(ServiceActionsMixin, ReadOnlyObjectViewSet):
    """督办：列表、详情；POST 督办问题或预警（纪检监督、机关事务管理员）。"""

    queryset = Urge.objects.select_related("finding", "warning", "organization", "by")
    serializer_class = UrgeSerializer
    filterset_class = f.UrgeFilterSet

    @extend_schema(
        request=UrgeCreateSerializer,
        responses={201: UrgeSerializer, 400: REFUSED, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs) -> Response:
        if not services.can_urge(request.user):
            raise exceptions.PermissionDenied("只有纪检监督或机关事务管理员可以督办。")
        body = UrgeCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with service_refusals(fields=list(body.fields), model=Urge):
            row = services.urge(
                user=request.user,
                finding=data.get("finding"),
                warning=data.get("warning"),
                message=data["message"],
            )
        self._etag_instance = row
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)


class ReferralViewSet(StepActionMixin, ServiceActionsMixin, ReadOnlyObjectViewSet):
    """移交纪检监察：列表、详情；POST 移交（生成移交材料 PDF 及证据压缩包）；outcome 登记处理结果。"""

    queryset = Referral.objects.select_related("organization", "region", "referred_by", "package")
    serializer_class = ReferralSerializer
    filterset_class = f.ReferralFilterSet

    @extend_schema(
        request=ReferInputSerializer,
        responses={201: ReferralSerializer, 400: REFUSED, 403: FORBIDDEN},
    )
    def create(self, request, *args, **kwargs) -> Response:
        if not services.can_refer(request.user):
            raise exceptions.PermissionDenied("只有纪检监督或机关事务管理员可以移交纪检监察。")
        body = ReferInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        findings = list(
            Finding.objects.restrict(request.user, "view").filter(pk__in=data["findings"])
        )
        if len(findings) != len(set(data["findings"])):
            raise exceptions.ValidationError(
                {"findings": ["所选问题有的不存在或超出您的管辖范围。"]}
            )
        with service_refusals(fields=["findings", "recipient", "referred_on"], model=Referral):
            referral = services.refer(
                user=request.user,
                findings=findings,
                recipient=data.get("recipient", ""),
                on=data.get("referred_on"),
            )
        self._etag_instance = referral
        return Response(self.get_serializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=OutcomeSerializer,
        responses={200: ReferralSerializer, 400: REFUSED, 403: FORBIDDEN},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None) -> Response:
        """登记纪检监察机关的处理结果。"""
        return self.step(
            request,
            OutcomeSerializer,
            lambda referral, d, v: services.record_outcome(
                user=request.user,
                referral=referral,
                outcome=d["outcome"],
                outcome_on=d["outcome_on"],
                expected_version=v,
            ),
        )


def register(router) -> None:
    """Add the findings' endpoints to the inspections' router."""
    router.register("findings", FindingViewSet)
    router.register("rectifications", RectificationViewSet)
    router.register("rechecks", RecheckViewSet)
    router.register("urges", UrgeViewSet)
    router.register("referrals", ReferralViewSet)
