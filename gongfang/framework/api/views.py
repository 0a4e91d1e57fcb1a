"""Framework endpoints: the change log (read-only, for accounts that may read the log), the token
endpoint, the OpenAPI schema and the Swagger UI."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated

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
    changed_object_type_display = serializers.SerializerMethodField(label="对象类型（名称）")
    changed_object_model = serializers.SerializerMethodField(
        label="对象模型", help_text="应用名.模型名，如 registry.room"
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
            "changed_object_type",
            "changed_object_type_display",
            "changed_object_model",
            "changed_object_id",
            "changed_object_url",
            "object_repr",
            "prechange_data",
            "postchange_data",
        ]
        read_only_fields = fields

    def get_changed_object_type_display(self, obj: ObjectChange) -> str:
        model = obj.changed_object_type.model_class()
        return str(model._meta.verbose_name) if model else obj.changed_object_type.model

    def get_changed_object_model(self, obj: ObjectChange) -> str:
        return _model_key(obj.changed_object_type)

    @extend_schema_field(OpenApiTypes.URI)
    def get_changed_object_url(self, obj: ObjectChange) -> str | None:
        content_type = obj.changed_object_type
        name = f"api:{content_type.app_label}:{content_type.model}-detail"
        try:
            url = reverse(name, args=[obj.changed_object_id])
        except NoReverseMatch:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ObjectChangeViewSet(ReadOnlyObjectViewSet):
    """变更记录：系统中每一次新建、修改、删除，只读；仅审计管理员可查看。"""

    queryset = ObjectChange.objects.select_related("changed_object_type")
    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeFilterSet


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(
        label="令牌", help_text="请求头中写作 Authorization: Token <令牌>"
    )


@extend_schema(
    tags=["令牌"],
    summary="用账号和密码换取接口令牌",
    request=AuthTokenSerializer,
    responses={200: TokenResponseSerializer},
    auth=[],
)
class TokenView(ObtainAuthToken):
    """系统对接用：以账号、密码换取令牌；同一账号再次换取得到同一令牌，停用账号的令牌随即失效。"""


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


class SchemaView(SpectacularAPIView):
    """The OpenAPI description, for accounts that have signed in (session or token)."""

    permission_classes = (IsAuthenticated,)
