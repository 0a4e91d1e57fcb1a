"""Viewsets of the approval API. Reads are scoped (``Case.objects.restrict``: the applicant's
scope, the counterparty and the accounts its tasks name; 404 for the rest); every write is a
service call, whose Chinese ValidationError becomes a 400 naming the field."""

from __future__ import annotations

import mimetypes

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from ...framework.api.exceptions import as_api_error
from ...framework.api.schema import IF_MATCH
from ...framework.api.viewsets import (
    PreconditionFailed,
    ReadOnlyObjectViewSet,
    ScopedViewSetMixin,
    expected_version,
)
from ...framework.versions import StaleObjectError
from .. import selectors, services
from ..choices import Action
from ..filtersets import (
    CaseFilterSet,
    NotificationFilterSet,
    ProcessDefinitionFilterSet,
    TaskFilterSet,
)
from ..models import Attachment, Case, Notification, ProcessDefinition, Task
from . import serializers as s

TAG = "网上办理"

# Case actions that only read the case (the service decides whether the account may act).
VIEW_ACTIONS = frozenset(
    {
        "submit",
        "decide",
        "withdraw",
        "attachments",
        "attachment_download",
        "preview",
        "history",
        "sign",
    }
)


class CanViewCases(BasePermission):
    """The account's roles let it read cases (what it may do with one is the service's)."""

    message = "您没有查看审批事项的权限。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_active and user.has_model_perm(Case, "view")
        )


def _error(exc: DjangoValidationError, fields=()) -> Exception:
    return as_api_error(exc, fields=fields, model=Case)


class CaseViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """审批事项：列表可按事项类型、状态、申请单位、逾期、文号或事由筛选。"""

    queryset = Case.objects.select_related(
        "applicant", "counterparty", "region", "definition", "created_by"
    ).prefetch_related("subjects")
    serializer_class = s.CaseSerializer
    filterset_class = CaseFilterSet
    parser_classes = (JSONParser, FormParser, MultiPartParser)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        if self.action in VIEW_ACTIONS:
            return self.queryset.all().restrict(self.request.user, "view")
        return super().get_queryset()

    def get_permissions(self):
        if self.action in VIEW_ACTIONS:
            return [CanViewCases()]
        return super().get_permissions()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "view_action": self.action}

    def answer(self, case: Case, code=status.HTTP_200_OK) -> Response:
        case = self.queryset.get(pk=case.pk)
        self._etag_instance = case
        return Response(self.get_serializer(case).data, status=code)

    def case_version(self, request, payload: dict) -> int | None:
        version = payload.get("version")
        if version is not None:
            return version
        return expected_version(request, Case)

    # Create and update ---------------------------------------------------------------------
    @extend_schema(
        tags=[TAG],
        summary="新建审批事项（草稿，可同时提交）",
        request=s.CaseCreateSerializer,
        responses={201: s.CaseSerializer},
    )
    def create(self, request):
        payload = s.CaseCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            case = services.create_case(
                actor=request.user,
                kind=data["kind"],
                applicant=data["applicant"],
                data=data["data"],
            )
            if data.get("submit"):
                case = services.submit_case(actor=request.user, case=case)
        except DjangoValidationError as exc:
            raise _error(exc, fields=("kind", "applicant", "data")) from exc
        return self.answer(case, status.HTTP_201_CREATED)

    @extend_schema(
        tags=[TAG],
        summary="修改审批事项的申请内容（草稿或已退回）",
        request=s.CaseUpdateSerializer,
        responses={200: s.CaseSerializer},
    )
    def partial_update(self, request, pk=None):
        case = self.get_object()
        payload = s.CaseUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            case = services.update_case(
                actor=request.user,
                case=case,
                data=payload.validated_data["data"],
                expected_version=expected_version(request, Case),
            )
        except StaleObjectError as exc:
            raise PreconditionFailed(exc.messages[0]) from exc
        except DjangoValidationError as exc:
            raise _error(exc, fields=("data",)) from exc
        return self.answer(case)

    @extend_schema(
        tags=[TAG],
        summary="修改审批事项的申请内容（同 PATCH）",
        request=s.CaseUpdateSerializer,
        responses={200: s.CaseSerializer},
    )
    def update(self, request, pk=None):
        return self.partial_update(request, pk)

    # Actions -------------------------------------------------------------------------------
    @extend_schema(
        tags=[TAG],
        summary="提交审批（草稿或已退回的事项）",
        # The version may come as If-Match (or in the body): a stale one answers 412.
        parameters=[IF_MATCH],
        request=s.VersionSerializer,
        responses={200: s.CaseSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        case = self.get_object()
        payload = s.VersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            case = services.submit_case(
                actor=request.user,
                case=case,
                expected_version=self.case_version(request, payload.validated_data),
            )
        except StaleObjectError as exc:
            raise PreconditionFailed(exc.messages[0]) from exc
        except DjangoValidationError as exc:
            raise _error(exc) from exc
        return self.answer(case)

    @extend_schema(
        tags=[TAG],
        summary="审批人办理（同意、退回修改、不予批准；签批环节须密码和动态口令）",
        parameters=[IF_MATCH],
        request=s.DecideSerializer,
        responses={200: s.CaseSerializer, 400: OpenApiResponse(description="不符合办理条件")},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        case = self.get_object()
        payload = s.DecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            case = services.decide(
                actor=request.user,
                case=case,
                decision=data["decision"],
                comment=data.get("comment", ""),
                password=data.get("password", ""),
                otp=data.get("otp", ""),
                files=request.FILES.getlist("files"),
                expected_version=self.case_version(request, data),
            )
        except StaleObjectError as exc:
            raise PreconditionFailed(exc.messages[0]) from exc
        except DjangoValidationError as exc:
            raise _error(exc, fields=("decision", "comment", "password", "otp")) from exc
        return self.answer(case)

    @extend_schema(
        tags=[TAG],
        summary="撤回（审批人办理前）",
        request=s.WithdrawSerializer,
        responses={200: s.CaseSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        case = self.get_object()
        payload = s.WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            case = services.withdraw_case(
                actor=request.user, case=case, comment=payload.validated_data.get("comment", "")
            )
        except DjangoValidationError as exc:
            raise _error(exc, fields=("comment",)) from exc
        return self.answer(case)

    @extend_schema(
        tags=[TAG],
        summary="批量签批（一次身份确认，逐件同意）",
        request=s.BatchSignSerializer,
        responses={200: s.BatchResultSerializer(many=True)},
    )
    # One row per case asked for, not a page of a list (the schema says so too).
    @action(detail=False, methods=["post"], pagination_class=None)
    def sign(self, request):
        payload = s.BatchSignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        cases = list(self.get_queryset().filter(pk__in=data["cases"]).order_by("pk"))
        missing = set(data["cases"]) - {c.pk for c in cases}
        if missing:
            raise _error(
                DjangoValidationError(
                    {
                        "cases": f"审批事项 {'、'.join(map(str, sorted(missing)))} 不存在或超出您的管辖范围。"
                    }
                ),
                fields=("cases",),
            )
        try:
            results = services.decide_many(
                actor=request.user,
                cases=cases,
                decision=Action.APPROVE,
                comment=data.get("comment", ""),
                password=data["password"],
                otp=data["otp"],
            )
        except DjangoValidationError as exc:
            raise _error(exc, fields=("password", "otp", "comment")) from exc
        rows = [
            {
                "case": case,
                "state": case.state,
                "state_display": case.get_state_display(),
                "error": error,
            }
            for case, error in results
        ]
        return Response(s.BatchResultSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(
        tags=[TAG],
        summary="批准后将发生的变更和当前不能生效的原因",
        responses=s.PreviewSerializer,
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        case = self.get_object()
        problems: list[str] = []
        try:
            changes = selectors.preview(case)
        except DjangoValidationError as exc:
            changes, problems = [], list(exc.messages)
        problems += selectors.problems(case)
        return Response(
            s.PreviewSerializer(
                {"changes": [c.__dict__ for c in changes], "problems": problems}
            ).data
        )

    @extend_schema(
        tags=[TAG],
        summary="办理记录（含电子签批和附件）",
        responses=s.CaseActionSerializer(many=True),
    )
    # A case's whole history in one answer: no paging, no list filters.
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        case = self.get_object()
        rows = case.actions.select_related("actor", "signature__signer").prefetch_related(
            "attachments__uploaded_by"
        )
        return Response(s.CaseActionSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(
        methods=["get"],
        tags=[TAG],
        summary="审批事项的附件",
        responses=s.AttachmentSerializer(many=True),
    )
    @extend_schema(
        methods=["post"],
        tags=[TAG],
        summary="上传附件（multipart/form-data，字段 file）",
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def attachments(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            rows = case.attachments.select_related("uploaded_by")
            return Response(
                s.AttachmentSerializer(rows, many=True, context={"request": request}).data
            )
        payload = s.AttachmentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            attachment = services.add_attachment(
                actor=request.user, case=case, upload=payload.validated_data["file"]
            )
        except DjangoValidationError as exc:
            raise _error(exc, fields=("file",)) from exc
        return Response(
            s.AttachmentSerializer(attachment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        tags=[TAG],
        summary="下载附件",
        parameters=[
            OpenApiParameter(
                "attachment", OpenApiTypes.INT, OpenApiParameter.PATH, description="附件编号"
            )
        ],
        responses={(200, "application/octet-stream"): OpenApiResponse(description="文件内容")},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment>[^/.]+)",
        url_name="attachment-download",
    )
    def attachment_download(self, request, pk=None, attachment=None):
        case = self.get_object()
        try:
            item = case.attachments.get(pk=attachment)
        except (Attachment.DoesNotExist, ValueError):
            raise Http404("没有找到该附件。") from None
        content_type = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
        return FileResponse(
            item.file.open("rb"), as_attachment=True, filename=item.name, content_type=content_type
        )


class TaskViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """待办：当前账号的待办理环节（state=open 为未办，overdue=true 为逾期）。"""

    queryset = Task.objects.select_related("case", "step")
    serializer_class = s.TaskSerializer
    filterset_class = TaskFilterSet
    permission_classes = [CanViewCases]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.queryset.for_user(self.request.user).order_by("state", "due_on", "pk")


class NotificationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """消息通知：当前账号的站内消息（unread=true 只看未读）。"""

    queryset = Notification.objects.all()
    serializer_class = s.NotificationSerializer
    filterset_class = NotificationFilterSet
    permission_classes = [CanViewCases]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.queryset.filter(user=self.request.user)

    @extend_schema(
        tags=[TAG],
        summary="标为已读（不给 ids 则全部）",
        request=s.MarkReadSerializer,
        responses={200: OpenApiResponse(description='{"marked": 标记的条数}')},
    )
    @action(detail=False, methods=["post"])
    def read(self, request):
        payload = s.MarkReadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ids = payload.validated_data.get("ids")
        marked = services.mark_read(user=request.user, ids=ids)
        return Response({"marked": marked})


class ProcessDefinitionViewSet(ReadOnlyObjectViewSet):
    """审批流程（只读；修订请在页面上操作）。"""

    queryset = ProcessDefinition.objects.select_related("region").prefetch_related("steps")
    serializer_class = s.ProcessDefinitionSerializer
    filterset_class = ProcessDefinitionFilterSet
