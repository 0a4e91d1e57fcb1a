"""``/api/token/``: exchange an account's password (and second factor) for an API token, list
one's tokens, revoke one — the API side of the 接口令牌 page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ..framework.text import is_number
from . import otp
from .audit import auth_event
from .models import ApiToken
from .passwords import password_change_reason
from .tokens import create_token, revoke_token, tokens_of

INVALID_LOGIN = "账号或密码不正确。"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="账号")
    password = serializers.CharField(
        label="密码", style={"input_type": "password"}, trim_whitespace=False
    )
    otp = serializers.CharField(
        label="动态口令",
        required=False,
        allow_blank=True,
        help_text="账号已绑定身份验证器时必填：身份验证器上当前的 6 位数字",
    )
    scope = serializers.ChoiceField(
        label="权限",
        choices=ApiToken.Scope.choices,
        default=ApiToken.Scope.READ,
        help_text="read：只读；read_write：读写",
    )
    name = serializers.CharField(label="用途", required=False, allow_blank=True, max_length=60)
    days = serializers.IntegerField(
        label="有效天数", required=False, min_value=1, help_text="缺省为系统设置的天数"
    )

    def validate_days(self, value: int) -> int:
        if value > settings.API_TOKEN_MAX_DAYS:
            raise serializers.ValidationError(f"有效期最长 {settings.API_TOKEN_MAX_DAYS} 天。")
        return value


class TokenSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="status_label", read_only=True, label="状态")
    scope_display = serializers.CharField(
        source="get_scope_display", read_only=True, label="权限（名称）"
    )

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scope",
            "scope_display",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "status",
        ]
        read_only_fields = fields


class NewTokenSerializer(TokenSerializer):
    """What the exchange answers (described for the OpenAPI schema)."""

    token = serializers.CharField(
        label="令牌", help_text="只返回这一次；请求头中写作 Authorization: Token <令牌>"
    )

    class Meta(TokenSerializer.Meta):
        fields = ["token", *TokenSerializer.Meta.fields]
        read_only_fields = fields


class TokenThrottle(ScopedRateThrottle):
    """The exchange is rate limited per client address (``API_TOKEN_RATE``)."""


class TokenView(APIView):
    """系统对接用的接口令牌：以账号、密码（已绑定身份验证器的账号还须动态口令）换取令牌；列出、吊销本人的令牌。"""

    throttle_scope = "token"

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        return [TokenThrottle()] if self.request.method == "POST" else []

    def initialize_request(self, request, *args, **kwargs):
        # The exchange is authenticated by the password in its body, not by a session or
        # another token (so a browser's session cookie asks for no CSRF token here).
        self._exchange = request.method == "POST"
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self):
        return [] if getattr(self, "_exchange", False) else super().get_authenticators()

    @extend_schema(
        tags=["令牌"],
        summary="用账号和密码换取接口令牌",
        request=TokenRequestSerializer,
        responses={200: NewTokenSerializer},
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # django-axes counts this like a login form: the Django request carries its marks.
        user = authenticate(
            request._request, username=values["username"], password=values["password"]
        )
        if user is None:
            return Response({"non_field_errors": [INVALID_LOGIN]}, status=400)
        if password_change_reason(user):
            return Response({"detail": "请先在网页上修改密码，再换取令牌。"}, status=403)
        device = otp.totp_device(user)
        if device is not None:
            code = otp.normalize_code(values.get("otp", ""))
            if not code:
                return Response({"otp": ["请填写身份验证器上的动态口令。"]}, status=400)
            if not device.verify_is_allowed()[0]:
                return Response({"otp": ["动态口令错误次数过多，请稍后再试。"]}, status=429)
            if not (is_number(code) and device.verify_token(code)):
                auth_event(
                    "auth.otp_verify",
                    actor=user,
                    success=False,
                    data={"method": "totp", "purpose": "api_token"},
                )
                return Response({"otp": ["动态口令不正确。"]}, status=400)
            auth_event(
                "auth.otp_verify", actor=user, data={"method": "totp", "purpose": "api_token"}
            )
        elif user.second_factor_required:
            return Response(
                {"detail": "您的角色要求双因素认证：请先在网页上绑定身份验证器，再换取令牌。"},
                status=403,
            )
        token, key = create_token(
            user=user, name=values.get("name", ""), scope=values["scope"], days=values.get("days")
        )
        return Response({"token": key, **TokenSerializer(token).data})

    @extend_schema(
        tags=["令牌"], summary="本人的接口令牌", responses={200: TokenSerializer(many=True)}
    )
    def get(self, request):
        return Response(TokenSerializer(tokens_of(request.user), many=True).data)

    @extend_schema(
        tags=["令牌"],
        summary="吊销接口令牌",
        parameters=[
            OpenApiParameter("id", int, description="要吊销的令牌编号；缺省为本次请求所用的令牌")
        ],
        responses={204: None},
    )
    def delete(self, request):
        token_id = request.query_params.get("id")
        if token_id is None:
            token = request.auth if isinstance(request.auth, ApiToken) else None
        else:
            token = (
                tokens_of(request.user).filter(pk=token_id).first() if is_number(token_id) else None
            )
        if token is None:
            return Response({"detail": "未找到该令牌。"}, status=status.HTTP_404_NOT_FOUND)
        revoke_token(actor=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
