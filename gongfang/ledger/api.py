"""The ledger API (``/api/ledger/``, namespace ``api:ledger``): import batches, exports, templates.

- ``imports/`` (``api:ledger:importbatch-list`` / ``-detail``): the account's own import batches;
  ``POST`` uploads a file (multipart ``file``, ``mode``, ``sheet``) and checks it without writing;
  ``imports/<id>/commit/`` writes a checked batch, ``imports/<id>/revert/`` undoes a written one,
  ``imports/<id>/retry/`` runs a failed batch's stage again, ``imports/<id>/discard/`` gives it
  up, ``imports/<id>/file/`` returns the file as uploaded. Everything goes through ``services``.
- ``export/?sheet=<key>&format=xlsx|csv&<filters>`` (``api:ledger:export``): one sheet's rows,
  filtered by the same filterset as its registry list, in the importer's layout; without
  ``sheet``, the whole ledger of the account's scope as one workbook.
- ``templates/<key>/`` (``api:ledger:template``): the blank template of one sheet, or of the whole
  ledger (``key`` = ``ledger``).

The same rules as the ledger pages: import batches need the account's ``ImportBatch`` actions
(view to read, add to upload and commit, delete to revert) and are private to their uploader
(someone else's answers 404); a sheet export needs the right to view the sheet's model.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from ..framework.api.exceptions import as_api_error
from ..framework.api.routers import Router
from ..framework.api.serializers import DetailURLField
from ..framework.api.viewsets import ScopedViewSetMixin
from ..framework.filtersets import applied_filters
from ..framework.services import ACTION_NAMES
from ..registry.api.urls import router as registry_router
from . import services
from .choices import Mode
from .exporter import CSV_TYPE, XLSX_TYPE, export_ledger, export_sheet, write_template
from .models import ImportBatch
from .progress import get_progress
from .specs import BY_KEY, SHEETS
from .views import attachment, stamp

app_name = "ledger"

TAG = "台账导入导出"
EXPORT_FORMATS = ("xlsx", "csv")
LEDGER_KEY = "ledger"  # the template of every sheet at once
# Each sheet's model -> the filterset of its registry list (pages, API and exports share it).
FILTERSETS = {vs.queryset.model: vs.filterset_class for _, vs, _ in registry_router.registry}


# Serializers ----------------------------------------------------------------------------------
class SheetCountsSerializer(serializers.Serializer):
    rows = serializers.IntegerField(label="数据行")
    created = serializers.IntegerField(label="新建")
    updated = serializers.IntegerField(label="更新")
    unchanged = serializers.IntegerField(label="无变化")
    skipped = serializers.IntegerField(label="跳过")
    failed = serializers.IntegerField(label="有错误")


class ImportErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField(label="工作表")
    row = serializers.IntegerField(allow_null=True, label="行号", help_text="表头或整表的错误为空")
    column = serializers.CharField(label="列名", allow_blank=True)
    message = serializers.CharField(label="错误")


class ChangedFieldSerializer(serializers.Serializer):
    column = serializers.CharField(label="列名")
    old = serializers.JSONField(label="原值")
    new = serializers.JSONField(label="新值")


class ImportChangeSerializer(serializers.Serializer):
    sheet = serializers.CharField(label="工作表")
    row = serializers.IntegerField(label="行号")
    object = serializers.CharField(label="对象")
    fields = ChangedFieldSerializer(many=True, label="变动的列")


class ImportProgressSerializer(serializers.Serializer):
    stage = serializers.CharField(label="阶段", help_text="preview 检查；commit 导入")
    done = serializers.IntegerField(label="已处理行数")
    total = serializers.IntegerField(label="总行数")
    percent = serializers.IntegerField(label="进度（%）")


def _choices_text(choices) -> str:
    return "；".join(f"{value} {label}" for value, label in choices)


# Named enum components of their own: "status" and "mode" are also choice fields of other
# models, and a choice set shared by several components cannot be named from the field alone.
@extend_schema_field(
    {
        "type": "string",
        "enum": list(ImportBatch.Status.values),
        "description": _choices_text(ImportBatch.Status.choices),
    },
    component_name="ImportBatchStatusEnum",
)
class ImportStatusField(serializers.ChoiceField):
    pass


@extend_schema_field(
    {"type": "string", "enum": list(Mode.values), "description": _choices_text(Mode.choices)},
    component_name="ImportModeEnum",
)
class ImportModeField(serializers.ChoiceField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "enum": ["", *ImportBatch.Stage.values],
        "description": _choices_text(ImportBatch.Stage.choices) + "；空：尚未开始处理",
    },
    component_name="ImportStageEnum",
)
class ImportStageField(serializers.ChoiceField):
    pass


def _result(batch: ImportBatch, name: str, default):
    return (batch.result or {}).get(name, default)


class ImportBatchSerializer(serializers.ModelSerializer):
    """导入批次：上传的文件、检查结果（各表计数、错误、将被修改的记录、提示）与处理状态。

    上传后先检查、不写入（status = previewed 或 invalid）；确认导入后为 committed；
    撤销后为 reverted。大文件在后台处理，处理期间 progress 给出进度，处理进程每隔一段时间
    续租（heartbeat_at、lease_expires_at）；进程中断、租约到期的批次变为 failed（message
    说明最后心跳时间），未写入任何数据，可重试（retry）或放弃（discard，变为 discarded）。"""

    url = DetailURLField()
    display = serializers.CharField(source="__str__", read_only=True, label="名称")
    mode = ImportModeField(choices=Mode.choices, read_only=True, label="导入方式")
    status = ImportStatusField(choices=ImportBatch.Status.choices, read_only=True, label="状态")
    status_display = serializers.CharField(
        source="get_status_display", read_only=True, label="状态（名称）"
    )
    mode_display = serializers.CharField(
        source="get_mode_display", read_only=True, label="导入方式（名称）"
    )
    running = serializers.BooleanField(read_only=True, label="处理中")
    stage = ImportStageField(
        choices=ImportBatch.Stage.choices, read_only=True, label="处理阶段", allow_blank=True
    )
    counts = serializers.SerializerMethodField(label="各工作表计数")
    errors = serializers.SerializerMethodField(label="错误（最多 1000 条）")
    error_count = serializers.SerializerMethodField(label="错误总数")
    changes = serializers.SerializerMethodField(label="将被修改或已修改的记录（最多 500 条）")
    notices = serializers.SerializerMethodField(label="提示")
    created_count = serializers.IntegerField(read_only=True, label="新建条数")
    updated_count = serializers.IntegerField(read_only=True, label="更新条数")
    progress = serializers.SerializerMethodField(label="处理进度", help_text="处理中时给出")
    file_url = serializers.SerializerMethodField(label="上传文件下载地址")

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "url",
            "display",
            "uuid",
            "filename",
            "size",
            "sheet",
            "mode",
            "mode_display",
            "status",
            "status_display",
            "running",
            "stage",
            "worker",
            "heartbeat_at",
            "lease_expires_at",
            "row_count",
            "background",
            "user_name",
            "message",
            "created_at",
            "previewed_at",
            "committed_at",
            "reverted_at",
            "counts",
            "errors",
            "error_count",
            "changes",
            "notices",
            "created_count",
            "updated_count",
            "progress",
            "file_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=SheetCountsSerializer(), label="各工作表计数"))
    def get_counts(self, batch: ImportBatch) -> dict:
        return _result(batch, "counts", {})

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, batch: ImportBatch) -> list:
        return _result(batch, "errors", [])

    @extend_schema_field(OpenApiTypes.INT)
    def get_error_count(self, batch: ImportBatch) -> int:
        return _result(batch, "error_count", 0)

    @extend_schema_field(ImportChangeSerializer(many=True))
    def get_changes(self, batch: ImportBatch) -> list:
        return _result(batch, "changes", [])

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_notices(self, batch: ImportBatch) -> list:
        return _result(batch, "notices", [])

    @extend_schema_field(ImportProgressSerializer(allow_null=True))
    def get_progress(self, batch: ImportBatch) -> dict | None:
        return get_progress(batch.uuid) if batch.running else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_file_url(self, batch: ImportBatch) -> str:
        return reverse(
            "api:ledger:importbatch-file", args=[batch.pk], request=self.context.get("request")
        )


class ImportBatchDetailSerializer(ImportBatchSerializer):
    """导入批次（详情）：另含已导入批次不能整批撤销的原因。"""

    revert_conflicts = serializers.SerializerMethodField(
        label="不能撤销的原因",
        help_text="已导入的批次中，导入后又被修改的对象（最多 20 条）；为空时可以整批撤销",
    )

    class Meta(ImportBatchSerializer.Meta):
        fields = [*ImportBatchSerializer.Meta.fields, "revert_conflicts"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_revert_conflicts(self, batch: ImportBatch) -> list[str]:
        if batch.status != ImportBatch.Status.COMMITTED:
            return []
        return services.revert_conflicts(batch)[:20]


class ImportUploadSerializer(serializers.Serializer):
    """上传台账文件（multipart/form-data）。"""

    file = serializers.FileField(
        label="台账文件", help_text="Excel（.xlsx）或 CSV（UTF-8 / GBK）；不超过 50 MB"
    )
    mode = ImportModeField(
        choices=Mode.choices,
        default=Mode.UPSERT,
        label="导入方式",
        help_text="create 仅新增（已有记录不更新）；upsert 新增并更新（默认）",
    )
    sheet = serializers.ChoiceField(
        choices=[(s.key, s.title) for s in SHEETS],
        required=False,
        allow_blank=True,
        default="",
        label="CSV 文件的台账类别",
        help_text="CSV 文件须填写（工作表标识，如 room）；Excel 文件按工作表名称识别，无需填写",
    )


# Permissions and negotiation ------------------------------------------------------------------
class ImportBatchPermission(BasePermission):
    """Signed in, active, and allowed the action the viewset action needs on import batches."""

    message = "您没有执行该操作的权限。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        needed = view.batch_action
        if user.has_model_perm(ImportBatch, needed):
            return True
        self.message = f"您没有{ACTION_NAMES[needed]}导入批次的权限。"
        return False


class SignedIn(BasePermission):
    """Any active signed-in account; what it may export is checked by the view."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class DownloadNegotiation(BaseContentNegotiation):
    """Downloads answer with a file; only their errors are rendered, always as JSON.

    ``?format=`` names the file's format here, not a renderer, and an ``Accept`` header asking for
    the file's type must not be refused before the file is made.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


DOWNLOAD = {
    "renderer_classes": [renderers.JSONRenderer],
    "content_negotiation_class": DownloadNegotiation,
}


def _refused(description: str) -> OpenApiResponse:
    return OpenApiResponse(description=description)


# Import batches -------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(tags=[TAG], summary="本人的导入批次列表"),
    retrieve=extend_schema(
        tags=[TAG],
        summary="查看导入批次（检查结果、处理状态与进度）",
        responses={200: ImportBatchDetailSerializer},
    ),
)
class ImportBatchViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """导入批次：上传台账文件先检查（不写入），确认后整批导入，导入后可整批撤销。只能看到和操作本人上传的批次。"""

    queryset = ImportBatch.objects.all()
    serializer_class = ImportBatchSerializer
    permission_classes = [ImportBatchPermission]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    # viewset action -> the ImportBatch action it needs (unknown: read).
    ACTIONS = {
        "create": "add",
        "commit": "add",
        "revert": "delete",
        "retry": "add",
        "discard": "add",
    }

    @property
    def batch_action(self) -> str:
        return self.ACTIONS.get(getattr(self, "action", None) or "", "view")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportBatch.objects.none()
        return ImportBatch.objects.restrict(self.request.user, self.batch_action)

    def get_serializer_class(self):
        return ImportBatchSerializer if self.action == "list" else ImportBatchDetailSerializer

    def _answer(self, batch: ImportBatch, code: int = status.HTTP_200_OK) -> Response:
        batch = ImportBatch.objects.get(pk=batch.pk)
        serializer = ImportBatchDetailSerializer(batch, context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def _act(self, service) -> Response:
        """Run a batch action's service (``do_commit``, …) on the batch in the URL."""
        batch = self.get_object()
        try:
            service(actor=self.request.user, batch=batch)
        except DjangoValidationError as exc:
            raise as_api_error(exc, model=ImportBatch) from exc
        return self._answer(batch)

    @extend_schema(
        tags=[TAG],
        summary="上传台账文件并检查（不写入数据）",
        description="文件先按台账格式检查，不写入任何数据：检查通过为 previewed，有错误为 "
        "invalid（errors 列出错误）。数据行较多的文件在后台检查（queued），请查看批次的 progress。"
        "不是有效的 Excel/CSV 文件时返回 400，不保留文件。",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: ImportBatchDetailSerializer,
            400: _refused("文件无法读取或参数有误（按字段列出原因）"),
            403: _refused("没有导入台账的权限"),
        },
    )
    def create(self, request, *args, **kwargs):
        payload = ImportUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            batch = services.do_upload(
                actor=request.user,
                uploaded_file=data["file"],
                mode=data["mode"],
                sheet_key=data.get("sheet") or "",
            )
        except DjangoValidationError as exc:
            raise as_api_error(exc, fields=("file", "mode", "sheet"), model=ImportBatch) from exc
        return self._answer(batch, status.HTTP_201_CREATED)

    @extend_schema(
        tags=[TAG],
        summary="确认导入（整批写入已检查通过的批次）",
        description="只能确认本人上传、检查通过（previewed）的批次。数据行较多的批次在后台导入"
        "（committing），请查看批次的 progress。检查之后数据已有变化而出错时，不写入任何数据，"
        "批次变为 invalid，message 说明原因。",
        request=None,
        responses={
            200: ImportBatchDetailSerializer,
            400: _refused("批次状态不能导入"),
            403: _refused("没有导入台账的权限"),
            404: _refused("没有这个批次，或不是本人上传的"),
        },
    )
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        return self._act(services.do_commit)

    @extend_schema(
        tags=[TAG],
        summary="撤销整批导入（删除新建的记录，恢复修改过的记录）",
        description="只能撤销本人已导入（committed）的批次。导入后又被修改的对象、或删除会连带"
        "删除其他数据时，拒绝撤销并在 non_field_errors 中列出原因。",
        request=None,
        responses={
            200: ImportBatchDetailSerializer,
            400: _refused("不能撤销（列出原因）"),
            403: _refused("没有撤销导入的权限"),
            404: _refused("没有这个批次，或不是本人上传的"),
        },
    )
    @action(detail=True, methods=["post"])
    def revert(self, request, pk=None):
        return self._act(services.do_revert)

    @extend_schema(
        tags=[TAG],
        summary="重试处理失败的批次（重新检查或重新导入）",
        description="只能重试本人上传、处理失败（failed）的批次，例如后台任务进程中断后被回收的"
        "批次。按失败时的阶段（stage）重新检查或重新导入，与第一次一样整批处理；数据行较多的批次"
        "在后台处理，请查看批次的 progress。",
        request=None,
        responses={
            200: ImportBatchDetailSerializer,
            400: _refused("批次状态不能重试"),
            403: _refused("没有导入台账的权限，或不是本人上传的"),
            404: _refused("没有这个批次，或不是本人上传的"),
        },
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        return self._act(services.do_retry)

    @extend_schema(
        tags=[TAG],
        summary="放弃处理失败的批次",
        description="只能放弃本人上传、处理失败（failed）的批次；批次变为 discarded，留在导入"
        "记录中，不能再检查或导入。失败的批次未写入任何数据，放弃也不删除任何数据。",
        request=None,
        responses={
            200: ImportBatchDetailSerializer,
            400: _refused("批次状态不能放弃"),
            403: _refused("没有导入台账的权限，或不是本人上传的"),
            404: _refused("没有这个批次，或不是本人上传的"),
        },
    )
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        return self._act(services.do_discard)

    @extend_schema(
        tags=[TAG],
        summary="下载批次上传的原始文件",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: _refused("没有这个批次，或文件已不存在"),
        },
    )
    @action(detail=True, methods=["get"], **DOWNLOAD)
    def file(self, request, pk=None):
        batch = self.get_object()
        if not batch.file:
            raise Http404("文件已不存在。")
        return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.filename)


# Exports and templates ------------------------------------------------------------------------
SHEET_PARAMETER = OpenApiParameter(
    "sheet",
    OpenApiTypes.STR,
    enum=list(BY_KEY),
    description="台账工作表标识（"
    + "、".join(f"{s.key} {s.title}" for s in SHEETS)
    + "）；不填则导出全部台账（仅 xlsx）",
)
FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=list(EXPORT_FORMATS), description="文件格式，默认 xlsx"
)


class ExportView(APIView):
    """导出台账：一张工作表的记录（按与列表相同的筛选条件），或全部台账，格式与导入模板一致，可直接修改后导入。"""

    permission_classes = [SignedIn]
    renderer_classes = DOWNLOAD["renderer_classes"]
    content_negotiation_class = DownloadNegotiation

    @extend_schema(
        tags=[TAG],
        summary="导出台账（一张工作表或全部）",
        description="指定 sheet 时导出该工作表在本人管辖范围内的记录，其余查询参数与对应的登记"
        "列表接口（/api/registry/…/）的筛选条件相同（如 q 搜索）；需要查看该类对象的权限。"
        "不指定 sheet 时导出全部台账（xlsx，每类一张工作表），需要台账导入导出的权限。"
        "每次导出都记入审计日志。",
        parameters=[SHEET_PARAMETER, FORMAT_PARAMETER],
        responses={
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
            400: _refused("工作表、格式或筛选条件有误"),
            403: _refused("没有查看该类对象或导出台账的权限"),
        },
    )
    def get(self, request):
        params = request.query_params
        fmt = params.get("format") or "xlsx"
        if fmt not in EXPORT_FORMATS:
            raise exceptions.ValidationError({"format": ["导出格式只能是 xlsx 或 csv。"]})
        key = params.get("sheet") or ""
        user = request.user
        if not key:
            if fmt != "xlsx":
                raise exceptions.ValidationError(
                    {"format": ["导出全部台账只能是 xlsx 格式；导出 CSV 请指定工作表（sheet）。"]}
                )
            if not user.has_model_perm(ImportBatch, "view"):
                raise exceptions.PermissionDenied("您没有导出全部台账的权限。")
            content = export_ledger(actor=user)
            return attachment(content, f"台账-{stamp()}.xlsx", XLSX_TYPE)
        sheet = BY_KEY.get(key)
        if sheet is None:
            raise exceptions.ValidationError({"sheet": [f"没有这种台账工作表：{key}。"]})
        if not user.has_model_perm(sheet.model, "view"):
            raise exceptions.PermissionDenied(f"您没有查看{sheet.model._meta.verbose_name}的权限。")
        queryset = sheet.model.objects.restrict(user, "view")
        filters: dict[str, str] = {}
        filterset_class = FILTERSETS.get(sheet.model)
        if filterset_class is not None:
            filterset = filterset_class(params, queryset=queryset, request=request)
            if not filterset.is_valid():
                raise exceptions.ValidationError(filterset.errors)
            queryset = filterset.qs
            filters = applied_filters(filterset)
        content = export_sheet(actor=user, sheet=sheet, queryset=queryset, fmt=fmt, filters=filters)
        content_type = XLSX_TYPE if fmt == "xlsx" else CSV_TYPE
        return attachment(content, f"{sheet.title}-{stamp()}.{fmt}", content_type)


class TemplateView(APIView):
    """台账导入模板：一张工作表的空白模板，或全部台账的模板（key = ledger）。"""

    permission_classes = [SignedIn]
    renderer_classes = DOWNLOAD["renderer_classes"]
    content_negotiation_class = DownloadNegotiation

    @extend_schema(
        tags=[TAG],
        summary="下载台账导入模板（xlsx）",
        description="模板含表头（必填列标 * 并着色）、示例行、下拉选项和填写说明。",
        parameters=[
            OpenApiParameter(
                "key",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=[*BY_KEY, LEDGER_KEY],
                description="工作表标识；ledger 为全部台账的模板",
            )
        ],
        responses={
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            403: _refused("没有查看这些对象的权限"),
            404: _refused("没有这种模板"),
        },
    )
    def get(self, request, key: str):
        if key == LEDGER_KEY:
            sheets, name = list(SHEETS), "台账导入模板（全部）.xlsx"
        elif key in BY_KEY:
            sheets, name = [BY_KEY[key]], f"{BY_KEY[key].title}导入模板.xlsx"
        else:
            raise exceptions.NotFound("没有这种模板。")
        if not any(request.user.has_model_perm(s.model, "view") for s in sheets):
            raise exceptions.PermissionDenied("您没有查看这些台账的权限。")
        return attachment(write_template(sheets), name, XLSX_TYPE)


router = Router()
router.register("imports", ImportBatchViewSet)

urlpatterns = [
    path("export/", ExportView.as_view(), name="export"),
    path("templates/<slug:key>/", TemplateView.as_view(), name="template"),
    *router.urls,
]
