"""Viewsets of archives: categories (generic) and documents (list, detail, multipart upload,
edit of the particulars, withdraw, and the scoped file download)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from ...framework.api.exceptions import as_api_error
from ...framework.api.viewsets import ObjectViewSet
from .. import filtersets as f
from .. import services
from ..models import Document, DocumentCategory
from ..subjects import can_see_subject, subject_spec
from ..views import DocumentFileView
from . import serializers as s

UPLOAD_FIELDS = ["subject_type", "subject_id", "category", "file", "title", "issued_on", "source"]


class DocumentCategoryViewSet(ObjectViewSet):
    """档案类别（权属、建设、测绘、平面图……）。"""

    queryset = DocumentCategory.objects.all()
    serializer_class = s.DocumentCategorySerializer
    filterset_class = f.DocumentCategoryFilterSet


class DocumentViewSet(ObjectViewSet):
    """档案资料：列表、详情；POST 上传（multipart）；PATCH 修改标题等；DELETE 撤回现行版本；
    file 下载文件。只能看到有权查看其所属对象的资料。"""

    queryset = Document.objects.select_related("category", "uploaded_by", "region", "subject_type")
    serializer_class = s.DocumentSerializer
    filterset_class = f.DocumentFilterSet
    parser_classes = (JSONParser, MultiPartParser, FormParser)

    @extend_schema(
        request={"multipart/form-data": s.DocumentUploadSerializer},
        responses={
            201: s.DocumentSerializer,
            400: OpenApiResponse(description="文件、类别或对象不符合要求"),
            403: OpenApiResponse(description="无权为该对象上传资料"),
        },
    )
    def create(self, request, *args, **kwargs) -> Response:
        """上传档案资料（新资料，或以 supersedes 上传现行版本的新版本）。"""
        body = s.DocumentUploadSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        subject = self._subject(data["subject_type"], data["subject_id"])
        supersedes = None
        if data.get("supersedes"):
            supersedes = (
                Document.objects.restrict(request.user, "view")
                .filter(pk=data["supersedes"])
                .first()
            )
            if supersedes is None:
                raise exceptions.ValidationError(
                    {"supersedes": ["所替换的资料不存在或超出您的管辖范围。"]}
                )
        try:
            document = services.add_document(
                user=request.user,
                subject=subject,
                category=data["category"],
                file=data["file"],
                title=data.get("title", ""),
                issued_on=data.get("issued_on"),
                source=data.get("source", ""),
                supersedes=supersedes,
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise as_api_error(exc, fields=UPLOAD_FIELDS, model=Document) from exc
        self._etag_instance = document
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)

    def _subject(self, label: str, pk: int):
        app_label, _, model_name = label.strip().lower().partition(".")
        ct = ContentType.objects.filter(app_label=app_label, model=model_name).first()
        model = ct.model_class() if ct is not None else None
        if model is None or subject_spec(model) is None:
            raise exceptions.ValidationError(
                {"subject_type": [f"“{label[:40]}”不是可以附加档案资料的对象类型。"]}
            )
        subject = model._base_manager.filter(pk=pk).first()
        if subject is None or not can_see_subject(self.request.user, subject):
            raise exceptions.ValidationError({"subject_id": ["对象不存在或超出您的管辖范围。"]})
        return subject

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="资料不存在或超出管辖范围"),
        }
    )
    @action(detail=True, methods=["get"], url_path="file")
    def file(self, request, pk=None):
        """下载资料文件（原文件名，Content-Disposition 为 attachment）。"""
        try:
            number = int(pk)
        except (TypeError, ValueError):
            raise exceptions.NotFound("没有找到该档案资料。") from None
        request._request.GET = request._request.GET.copy()
        request._request.GET["download"] = "1"
        try:
            return DocumentFileView().get(request._request, number)
        except Http404 as exc:
            raise exceptions.NotFound(str(exc)) from exc
