"""``/api/accounts/me/``: the caller's own account through the API — its sessions (list, end),
its password (change) and its second factor (status) — under the rules and with the audit
events of the pages (我的会话, 修改密码, 双因素认证), through the same services.

A read-only token may only read here too; binding or removing the second factor stays on the
page, where the authenticator's code is typed.
"""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from . import otp, sessions
from .models import UserSession
from .passwords import set_password

TAGS = ["本人账号"]


def _session_key(request) -> str | None:
    """The browser session the request came with (None for a token)."""
    if not isinstance(request.successful_authenticator, SessionAuthentication):
        return None
    session = getattr(request._request, "session", None)
    return session.session_key if session is not None else None


class SessionSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(label="当前会话")

    class Meta:
        model = UserSession
        fields = ["id", "ip_address", "user_agent", "created_at", "last_activity", "current"]
        read_only_fields = fields

    def get_current(self, row: UserSession) -> bool:
        return row.session_key == self.context.get("session_key")


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(
        label="当前密码", style={"input_type": "password"}, trim_whitespace=False
    )
    new_password = serializers.CharField(
        label="新密码",
        style={"input_type": "password"},
        trim_whitespace=False,
        help_text="须符合密码策略（长度、字符种类、不得与近几次密码相同）",
    )


class PasswordChangedSerializer(serializers.Serializer):
    sessions_ended = serializers.IntegerField(label="结束的其他会话数")


class SecondFactorSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(label="已启用双因素认证")
    required = serializers.BooleanField(label="角色要求双因素认证")
    recovery_codes_left = serializers.IntegerField(label="剩余恢复码个数")


class MySessionsView(APIView):
    """本人的登录会话：与“我的会话”页面相同，只列出未超时的会话。"""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS, summary="本人的登录会话", responses={200: SessionSerializer(many=True)}
    )
    def get(self, request):
        rows = sessions.active_sessions(request.user)
        context = {"session_key": _session_key(request)}
        return Response(SessionSerializer(rows, many=True, context=context).data)


class MySessionView(APIView):
    """结束本人的一个登录会话（记入审计日志）；当前会话请退出登录。"""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="结束本人的一个登录会话",
        responses={
            204: None,
            400: OpenApiResponse(description="要结束的是本次请求所在的会话"),
            404: OpenApiResponse(description="没有该会话"),
        },
    )
    def delete(self, request, pk: int):
        row = sessions.active_sessions(request.user).filter(pk=pk).first()
        if row is None:
            return Response({"detail": "未找到该会话。"}, status=status.HTTP_404_NOT_FOUND)
        if row.session_key == _session_key(request):
            return Response(
                {"detail": "当前会话请通过“退出登录”结束。"}, status=status.HTTP_400_BAD_REQUEST
            )
        sessions.end_session(user=request.user, session_id=row.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyOtherSessionsView(APIView):
    """结束本人除本次请求所在会话以外的全部登录会话（记入审计日志）。"""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="结束本人的其他登录会话",
        request=None,
        responses={200: PasswordChangedSerializer},
    )
    def post(self, request):
        ended = sessions.end_other_sessions(
            user=request.user, keep_session_key=_session_key(request), record=True
        )
        return Response({"sessions_ended": ended})


class PasswordThrottle(ScopedRateThrottle):
    """Guessing the current password is limited per address like the token exchange."""


class MyPasswordView(APIView):
    """修改本人密码：须提供当前密码；新密码须符合密码策略且不得与近几次相同；修改后本人的其他
    会话全部结束（以令牌调用时为全部网页会话），记入审计日志。"""

    permission_classes = [IsAuthenticated]
    throttle_scope = "token"

    def get_throttles(self):
        return [PasswordThrottle()]

    @extend_schema(
        tags=TAGS,
        summary="修改本人密码",
        request=PasswordChangeSerializer,
        responses={200: PasswordChangedSerializer},
    )
    def post(self, request):
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        if not user.check_password(values["old_password"]):
            return Response({"old_password": ["当前密码不正确。"]}, status=400)
        old_key = _session_key(request)
        try:
            ended = set_password(
                user=user,
                raw_password=values["new_password"],
                by_admin=False,
                keep_session_key=old_key,
            )
        except DjangoValidationError as exc:
            return Response({"new_password": exc.messages}, status=400)
        if old_key is not None:
            update_session_auth_hash(request._request, user)
            sessions.rekeyed(request._request, old_key)
        return Response({"sessions_ended": ended})


class MySecondFactorView(APIView):
    """本人的双因素认证状态；绑定、更换或解除请在“双因素认证”页面办理。"""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS, summary="本人的双因素认证状态", responses={200: SecondFactorSerializer}
    )
    def get(self, request):
        user = request.user
        enabled = otp.has_second_factor(user)
        return Response(
            {
                "enabled": enabled,
                "required": user.second_factor_required,
                "recovery_codes_left": otp.recovery_codes_left(user) if enabled else 0,
            }
        )
