"""Viewsets of reporting: forms, tables, fields, rules and indicators (fields, rules and
indicators writable through their services), periods (read, ``open``, ``close``), submissions
(read, one POST per step through ``reporting.services``, each honouring ``If-Match``) and
evaluation scores (read)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from ...framework.api.permissions import ReadersMayAct
from ...framework.api.schema import IF_MATCH
from ...framework.api.steps import StepActionMixin, service_refusals
from ...framework.api.viewsets import ObjectViewSet, ReadOnlyObjectViewSet
from ...framework.versions import StaleObjectError
from .. import filtersets as f
from .. import models as m
from .. import services
from . import serializers as s


class ReportFormViewSet(ReadOnlyObjectViewSet):
    """统计报表版本（只读；复制本省版本在页面办理）。"""

    queryset = m.ReportForm.objects.select_related("region", "based_on")
    serializer_class = s.ReportFormSerializer
    filterset_class = f.ReportFormFilterSet


class ReportTableViewSet(ReadOnlyObjectViewSet):
    """报表中的表（只读）。"""

    queryset = m.ReportTable.objects.select_related("form")
    serializer_class = s.ReportTableSerializer
    filterset_class = f.ReportTableFilterSet


class ReportFieldViewSet(ObjectViewSet):
    """报表指标；本区划尚未使用的报表版本由本区划机关事务管理部门修改。"""

    queryset = m.ReportField.objects.select_related("table__form")
    serializer_class = s.ReportFieldSerializer
    filterset_class = f.ReportFieldFilterSet


class ValidationRuleViewSet(ObjectViewSet):
    """校验规则；本区划尚未使用的报表版本由本区划机关事务管理部门修改。"""

    queryset = m.ValidationRule.objects.select_related("form")
    serializer_class = s.ReportRuleSerializer
    filterset_class = f.ValidationRuleFilterSet


class EvaluationIndicatorViewSet(ObjectViewSet):
    """考评指标（机关事务管理部门设置）。"""

    queryset = m.EvaluationIndicator.objects.all()
    serializer_class = s.ReportIndicatorSerializer
    filterset_class = f.EvaluationIndicatorFilterSet


class ReportPeriodViewSet(StepActionMixin, ReadOnlyObjectViewSet):
    """报送期：列表、详情；POST open 发起报送，POST close 结束报送期。"""

    queryset = m.ReportPeriod.objects.select_related("form", "region", "opened_by")
    serializer_class = s.ReportPeriodSerializer
    filterset_class = f.ReportPeriodFilterSet

    @extend_schema(request=s.ReportOpenPeriodSerializer, responses={201: s.ReportPeriodSerializer})
    @action(detail=False, methods=["post"], url_path="open", url_name="open")
    def open_period(self, request) -> Response:
        """发起报送（本区划机关事务管理部门）：每个填报单位一份按统计时点预填的报送。"""
        body = s.ReportOpenPeriodSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        with service_refusals(fields=list(body.fields), model=m.ReportPeriod):
            period = services.do_open_period(actor=request.user, **body.validated_data)
        self._etag_instance = period
        return Response(self.get_serializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ReportClosePeriodSerializer,
        responses={200: s.ReportPeriodSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None) -> Response:
        """结束报送期：各单位报送均已接收时直接结束；提前结束须写明理由（reason）。"""
        return self.step(
            request,
            s.ReportClosePeriodSerializer,
            lambda period, d, v: services.do_close_period(
                period=period, actor=request.user, expected_version=v, **d
            ),
        )

    @extend_schema(
        request=s.ReportReopenPeriodSerializer,
        responses={200: s.ReportPeriodSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None) -> Response:
        """重新开启已结束的报送期（发起报送的机关事务管理部门；须写明理由 reason）。"""
        return self.step(
            request,
            s.ReportReopenPeriodSerializer,
            lambda period, d, v: services.do_reopen_period(
                period=period, actor=request.user, expected_version=v, **d
            ),
        )


class SubmissionViewSet(StepActionMixin, ReadOnlyObjectViewSet):
    """报送：列表、详情；填报单位 save/check/sign/submit/withdraw/correct，接收单位 accept/return。

    每一步均可带 ``If-Match``（报送在读取之后已变动时答 412）；谁能办理哪一步由服务判断。"""

    queryset = m.Submission.objects.select_related(
        "period__form", "region", "organization", "receiver", "signed_by", "previous"
    )
    serializer_class = s.ReportSubmissionSerializer
    filterset_class = f.SubmissionFilterSet
    # Steps the services authorize: the submission is found with the reader's scope.
    read_scope_actions = (
        "save",
        "check",
        "sign",
        "submit",
        "withdraw",
        "accept",
        "return_",
        "correct",
    )

    @extend_schema(
        request=s.ReportSaveValuesSerializer,
        responses={200: s.ReportSubmissionSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], permission_classes=[ReadersMayAct])
    def save(self, request, pk=None) -> Response:
        """保存数据（填报单位；已校验、已签批的回到填报中）。"""
        return self.step(
            request,
            s.ReportSaveValuesSerializer,
            lambda sub, d, v: services.do_save(
                submission=sub, actor=request.user, expected_version=v, **d
            ),
        )

    @extend_schema(
        request=None, responses={200: s.ReportSubmissionSerializer}, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["post"], permission_classes=[ReadersMayAct])
    def check(self, request, pk=None) -> Response:
        """校验：无必须更正的问题时为已校验；结果见 check_results。"""
        return self.step(
            request,
            None,
            lambda sub, d, v: services.do_check(
                submission=sub, actor=request.user, expected_version=v
            ),
        )

    @extend_schema(
        request={"multipart/form-data": s.ReportSignSerializer},
        responses={200: s.ReportSubmissionSerializer},
        parameters=[IF_MATCH],
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[ReadersMayAct],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def sign(self, request, pk=None) -> Response:
        """签批（填报单位负责人）：登录密码 + 动态口令，上传签批页扫描件（multipart）。"""

        def run(sub, d, v):
            if v is not None and sub.version != v:
                raise StaleObjectError(sub, v)
            scan = d.pop("scan").read()
            return services.do_sign(submission=sub, actor=request.user, scan=scan, **d)

        return self.step(request, s.ReportSignSerializer, run)

    @extend_schema(
        request=None, responses={200: s.ReportSubmissionSerializer}, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["post"], permission_classes=[ReadersMayAct])
    def submit(self, request, pk=None) -> Response:
        """报送（已签批；本级汇总须下级全部接收后）。"""
        return self.step(
            request,
            None,
            lambda sub, d, v: services.do_submit(
                submission=sub, actor=request.user, expected_version=v
            ),
        )

    @extend_schema(
        request=s.ReportWithdrawSerializer,
        responses={200: s.ReportSubmissionSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], permission_classes=[ReadersMayAct])
    def withdraw(self, request, pk=None) -> Response:
        """撤回（已报送、尚未接收时），可填写原因（reason）。"""
        return self.step(
            request,
            s.ReportWithdrawSerializer,
            lambda sub, d, v: services.do_withdraw(
                submission=sub, actor=request.user, expected_version=v, **d
            ),
        )

    @extend_schema(
        request=None, responses={200: s.ReportSubmissionSerializer}, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["post"], permission_classes=[ReadersMayAct])
    def accept(self, request, pk=None) -> Response:
        """接收（接收区划的机关事务管理部门）：接收后数据冻结。"""
        return self.step(
            request,
            None,
            lambda sub, d, v: services.do_accept(
                submission=sub, actor=request.user, expected_version=v
            ),
        )

    @extend_schema(
        request=s.ReportReturnSerializer,
        responses={200: s.ReportSubmissionSerializer},
        parameters=[IF_MATCH],
        operation_id="reporting_submissions_return_create",
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[ReadersMayAct],
        url_path="return",
        url_name="return",
    )
    def return_(self, request, pk=None) -> Response:
        """退回（接收单位），须写明原因（reasons）。"""
        return self.step(
            request,
            s.ReportReturnSerializer,
            lambda sub, d, v: services.do_return(
                submission=sub, actor=request.user, expected_version=v, **d
            ),
        )

    @extend_schema(
        request=s.ReportCorrectSerializer,
        responses={201: s.ReportSubmissionSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], permission_classes=[ReadersMayAct])
    def correct(self, request, pk=None) -> Response:
        """更正已接收的数据：新建下一版次（填报中），须写明原因（reason）；答复为新版次。"""
        return self.step(
            request,
            s.ReportCorrectSerializer,
            lambda sub, d, v: services.do_correct(
                submission=sub, actor=request.user, expected_version=v, **d
            ),
            status_code=status.HTTP_201_CREATED,
        )


class EvaluationScoreViewSet(ReadOnlyObjectViewSet):
    """考评得分（只读）：可见范围随所属报送。"""

    queryset = m.EvaluationScore.objects.select_related("period", "submission", "indicator")
    serializer_class = s.ReportScoreSerializer
    filterset_class = f.EvaluationScoreFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        visible = m.Submission.objects.restrict(self.request.user, "view")
        return self.queryset.filter(submission__in=visible)


ROUTES = (
    ("forms", ReportFormViewSet),
    ("tables", ReportTableViewSet),
    ("fields", ReportFieldViewSet),
    ("rules", ValidationRuleViewSet),
    ("indicators", EvaluationIndicatorViewSet),
    ("periods", ReportPeriodViewSet),
    ("submissions", SubmissionViewSet),
    ("scores", EvaluationScoreViewSet),
)
