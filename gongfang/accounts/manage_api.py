"""The accounts API (``/api/accounts/users/``): list and read accounts (系统管理员、安全管理员),
create them and edit their profiles (系统管理员) through the account services.

Roles, scopes, password resets and unlocking are on the account pages only: they change who may
do what, and are done by a person signed in with a second factor, not by an integration token.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, renderers, serializers, viewsets

from ..framework.api.exceptions import as_api_error
from ..framework.api.routers import Router
from ..framework.api.serializers import BriefSerializer, DetailURLField, ReadOnlyInputMixin
from ..framework.api.viewsets import BrowsableAPIRenderer
from ..framework.masking import MaskedSerializerMixin
from . import account_api, services
from . import manage_selectors as selectors
from .manage_filtersets import UserFilterSet
from .models import User


class UserSerializer(ReadOnlyInputMixin, MaskedSerializerMixin, serializers.ModelSerializer):
    """账号。手机号码在列表中脱敏；单个账号仅系统管理员可见全文。角色、管辖范围和启用状态只读（由管理员在页面上办理），写入时提交不同的值将被拒绝（400）。"""

    url = DetailURLField()
    display = serializers.CharField(source="__str__", read_only=True, label="名称")
    roles_display = serializers.SerializerMethodField(label="角色（名称）")
    scope_region_display = BriefSerializer(
        source="scope_region", read_only=True, allow_null=True, label="管辖区域（简要）"
    )
    scope_organization_display = BriefSerializer(
        source="scope_organization", read_only=True, allow_null=True, label="管辖单位（简要）"
    )
    password = serializers.CharField(
        label="初始密码",
        write_only=True,
        required=False,
        style={"input_type": "password"},
        trim_whitespace=False,
        help_text="新建时必填；本人首次登录须修改",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "url",
            "display",
            "username",
            "name",
            "phone",
            "email",
            "is_active",
            "roles",
            "roles_display",
            "scope_region",
            "scope_region_display",
            "scope_organization",
            "scope_organization_display",
            "date_joined",
            "last_login",
            "password_changed_at",
            "must_change_password",
            "password",
        ]
        read_only_fields = [
            "is_active",
            "roles",
            "scope_region",
            "scope_organization",
            "date_joined",
            "last_login",
            "password_changed_at",
            "must_change_password",
        ]
        # Uniqueness and lengths are the service's (one Chinese message each).
        validators = []
        extra_kwargs = {"username": {"validators": []}}

    def get_roles_display(self, obj: User) -> list[str]:
        return obj.role_labels


class UserUpdateSerializer(UserSerializer):
    """修改账号资料：用户名不可更改。"""

    class Meta(UserSerializer.Meta):
        read_only_fields = [*UserSerializer.Meta.read_only_fields, "username"]


# Schema: the field names are shared, the tag is Chinese.
@extend_schema_view(
    list=extend_schema(summary="账号列表", tags=["账号"]),
    retrieve=extend_schema(summary="账号详情", tags=["账号"]),
    create=extend_schema(summary="新建账号（系统管理员）", tags=["账号"]),
    update=extend_schema(summary="修改账号资料（系统管理员）", tags=["账号"]),
    partial_update=extend_schema(summary="修改账号资料（系统管理员）", tags=["账号"]),
)
class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """账号：系统管理员、安全管理员可查看；系统管理员可新建账号、修改姓名、手机号码和电子邮箱。"""

    queryset = selectors.accounts()
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ["username", "name", "date_joined", "last_login", "is_active"]
    renderer_classes = (renderers.JSONRenderer, BrowsableAPIRenderer)

    def get_serializer_class(self):
        # An account's name never changes: the update's schema and checks say so.
        if self.action in ("update", "partial_update"):
            return UserUpdateSerializer
        return UserSerializer

    def get_queryset(self):
        # Accounts have no scope; the permission class has checked the role.
        return self.queryset.all()

    def _error(self, exc: DjangoValidationError, serializer) -> Exception:
        fields = [name for name, f in serializer.fields.items() if not f.read_only]
        return as_api_error(exc, fields=fields, model=User)

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        if not data.get("password"):
            raise serializers.ValidationError({"password": ["新建账号须设置初始密码。"]})
        try:
            serializer.instance = services.create_account(
                actor=self.request.user,
                username=data.get("username", ""),
                password=data["password"],
                name=data.get("name", ""),
                phone=data.get("phone", ""),
                email=data.get("email", ""),
            )
        except DjangoValidationError as exc:
            raise self._error(exc, serializer) from exc

    def perform_update(self, serializer) -> None:
        data = serializer.validated_data
        if "password" in data:
            raise serializers.ValidationError({"password": ["重置密码请在账号页面办理。"]})
        try:
            serializer.instance = services.update_profile(
                actor=self.request.user,
                user=serializer.instance,
                name=data.get("name"),
                phone=data.get("phone"),
                email=data.get("email"),
            )
        except DjangoValidationError as exc:
            raise self._error(exc, serializer) from exc


app_name = "accounts"

router = Router()
router.register("users", UserViewSet)

# The caller's own account (account_api): sessions, password, second factor.
urlpatterns = [
    *router.urls,
    path("me/sessions/", account_api.MySessionsView.as_view(), name="my-sessions"),
    path("me/sessions/<int:pk>/", account_api.MySessionView.as_view(), name="my-session"),
    path(
        "me/sessions/end-others/",
        account_api.MyOtherSessionsView.as_view(),
        name="my-sessions-end-others",
    ),
    path("me/password/", account_api.MyPasswordView.as_view(), name="my-password"),
    path("me/second-factor/", account_api.MySecondFactorView.as_view(), name="my-second-factor"),
]
