"""Framework endpoints: the change log (read-only, for accounts that may read the log), the token
endpoint, the OpenAPI schema and the Swagger UI."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import renderers, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

# The token endpoint is the accounts app's (tokens scoped, expiring, revocable); named here too.
from ...accounts.api import TokenView  # noqa: F401
from .. import masking
from ..audit import export_response
from ..changelog import event_label
from ..filtersets import ObjectChangeFilterSet
from ..models import ObjectChange
from .serializers import DetailURLField
from .viewsets import ReadOnlyObjectViewSet


def _model_key(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


class ObjectChangeSerializer(serializers.ModelSerializer):
    url = DetailURLField()
    display = serializers.CharField(source="__str__", read_only=True, label="名称")
    action_display = serializers.CharField(
        source="get_action_display", read_only=True, label="操作（名称）"
    )
    event_display = serializers.SerializerMethodField(label="事件（名称）")
    result_display = serializers.CharField(
        source="get_result_display", read_only=True, label="结果（名称）"
    )
    changed_object_type_display = serializers.SerializerMethodField(label="对象类型（名称）")
    changed_object_model = serializers.SerializerMethodField(
        label="对象模型", help_text="应用名.模型名，如 registry.room；没有对象的事件为 null"
    )
    changed_object_url = serializers.SerializerMethodField(
        label="对象接口地址", help_text="对象可能已被删除；没有接口的对象为 null"
    )

    class Meta:
        model = ObjectChange
        fields = [
            "id",
            "url",
            "display",
            "time",
            "user",
            "user_name",
            "request_id",
            "remote_addr",
            "action",
            "action_display",
            "event",
            "event_display",
            "result",
            "result_display",
            "changed_object_type",
            "changed_object_type_display",
            "changed_object_model",
            "changed_object_id",
            "changed_object_url",
            "object_repr",
            "prechange_data",
            "postchange_data",
            "prev_hash",
            "hash",
            "key_id",
            "algorithm",
        ]
        read_only_fields = fields

    def to_representation(self, instance: ObjectChange) -> dict:
        data = super().to_representation(instance)
        # Personal data inside snapshots: masked as the audit log masks it (framework.masking).
        model = (
            instance.changed_object_type.model_class() if instance.changed_object_type_id else None
        )
        user = getattr(self.context.get("request"), "user", None)
        for key in ("prechange_data", "postchange_data"):
            data[key] = masking.shown_data(user, model, data[key], masking.Where.AUDIT)
        return data

    def get_event_display(self, obj: ObjectChange) -> str:
        return event_label(obj.event) if obj.event else ""

    def get_changed_object_type_display(self, obj: ObjectChange) -> str:
        if obj.changed_object_type_id is None:
            return ""
        model = obj.changed_object_type.model_class()
        return str(model._meta.verbose_name) if model else obj.changed_object_type.model

    def get_changed_object_model(self, obj: ObjectChange) -> str | None:
        if obj.changed_object_type_id is None:
            return None
        return _model_key(obj.changed_object_type)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_changed_object_url(self, obj: ObjectChange) -> str | None:
        content_type = obj.changed_object_type
        if content_type is None or obj.changed_object_id is None:
            return None
        name = f"api:{content_type.app_label}:{content_type.model}-detail"
        try:
            url = reverse(name, args=[obj.changed_object_id])
        except NoReverseMatch:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class CSVRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``text/csv``; the export streams its own response, and errors are
    rendered as their message."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        detail = data.get("detail", data) if isinstance(data, dict) else data
        return str(detail).encode("utf-8")


class ObjectChangeViewSet(ReadOnlyObjectViewSet):
    """审计日志：每一次新建、修改、删除和事件（登录、授权、导出等），只读；仅审计管理员可查看。
    ``export/`` 以同样的筛选条件导出 CSV，导出本身记入审计日志。"""

    queryset = ObjectChange.objects.select_related("changed_object_type")
    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeFilterSet

    @extend_schema(
        summary="导出审计日志（CSV）",
        description="按与列表相同的筛选条件导出 CSV（UTF-8，带 BOM）；导出记为 audit.export 事件。",
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        pagination_class=None,
        renderer_classes=[renderers.JSONRenderer, CSVRenderer],
    )
    def export(self, request):
        filterset = self.filterset_class(request.GET, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return export_response(actor=request.user, filterset=filterset)


class DocsView(SpectacularSwaggerView):
    """Swagger UI from our own static files; nothing is fetched from another site."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Swagger UI would otherwise load a badge from validator.swagger.io (DESIGN §7: no network).
        settings = {**spectacular_settings.SWAGGER_UI_SETTINGS, "validatorUrl": None}
        response.data["settings"] = self._dump(settings)
        return response


# The OpenAPI description by (API version, host): it is the code's, the same for every account,
# and takes seconds to build (every serializer, filterset and hook of the API).
_SCHEMAS: dict[tuple[str | None, str], dict] = {}


class SchemaView(SpectacularAPIView):
    """The OpenAPI description, for accounts that have signed in (session or token); built once
    per process."""

    permission_classes = (IsAuthenticated,)

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, request.get_host())
        if key not in _SCHEMAS:
            _SCHEMAS[key] = super()._get_schema_response(request).data
        filename = self._get_filename(request, version)  # .json or .yaml, as asked
        return Response(
            data=_SCHEMAS[key], headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )
