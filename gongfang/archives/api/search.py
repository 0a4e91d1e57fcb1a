"""``GET /api/archives/search/?q=`` (``api:archives:search-list``): full-text search of the
documents in the account's scope, best first."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from ..models import Document
from ..search import MAX_QUERY_CHARS, search

TAG = "档案资料"


class CanViewDocuments(BasePermission):
    message = "您没有查看档案资料的权限。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and user.has_model_perm(Document, "view")
        )


class QuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        label="检索词", max_length=MAX_QUERY_CHARS, allow_blank=True, trim_whitespace=True
    )
    limit = serializers.IntegerField(label="条数", min_value=1, max_value=200, default=50)


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="document.pk", label="资料编号")
    title = serializers.CharField(source="document.title", label="标题")
    category = serializers.CharField(source="document.category.name", label="类别")
    revision = serializers.IntegerField(source="document.revision", label="版次")
    original_name = serializers.CharField(source="document.original_name", label="原文件名")
    score = serializers.FloatField(label="相关度")
    title_html = serializers.CharField(
        source="title", label="标题（HTML，已转义，匹配处以 mark 标出）"
    )
    snippet_html = serializers.CharField(
        source="snippet", label="摘要（HTML，已转义，匹配处以 mark 标出）"
    )
    url = serializers.SerializerMethodField(label="资料页面")
    file_url = serializers.SerializerMethodField(label="文件下载地址")

    def get_url(self, hit) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("archives:document", args=[hit.document.pk])
        )

    def get_file_url(self, hit) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("archives:document_file", args=[hit.document.pk])
        )


class SearchViewSet(viewsets.ViewSet):
    """全文检索：在您管辖范围内现行版本资料的标题和正文中检索中文字词，按相关度排序。"""

    permission_classes = [CanViewDocuments]

    @extend_schema(
        tags=[TAG],
        summary="档案资料全文检索",
        description="多个词以空格分开，须全部出现；标题中的匹配比正文中的权重更高。"
        "检索词中的标点、运算符和表情符号按普通文字处理（被忽略），不会报错。",
        parameters=[
            OpenApiParameter("q", str, required=True, description="检索词（最多 200 字）"),
            OpenApiParameter("limit", int, description="最多返回条数（1–200，默认 50）"),
        ],
        responses={
            200: HitSerializer(many=True),
            400: OpenApiResponse(description="参数不正确"),
            401: OpenApiResponse(description="未登录"),
            403: OpenApiResponse(description="没有查看档案资料的权限"),
        },
    )
    def list(self, request):
        params = QuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        hits = search(
            request.user, params.validated_data["q"], limit=params.validated_data["limit"]
        )
        return Response(HitSerializer(hits, many=True, context={"request": request}).data)


def register(router) -> None:
    router.register("search", SearchViewSet, basename="search")
