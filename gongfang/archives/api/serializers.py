"""Serializers of archives (conventions of framework.api.serializers)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from ...framework.api.serializers import MAX_ID, ObjectSerializer
from ..models import Document, DocumentCategory


class DocumentCategorySerializer(ObjectSerializer):
    """档案类别：代码（英文）、名称、排序、是否启用；机关事务管理局维护。"""

    class Meta(ObjectSerializer.Meta):
        model = DocumentCategory


class DocumentSerializer(ObjectSerializer):
    """档案资料（一个版本）：所属对象（subject_type 如 registry.floor，subject_id）、类别、
    标题、成文日期、来源；文件经 file_url 受控下载，不提供公开地址。可修改标题、类别、成文
    日期和来源；新文件请上传新版本（POST，supersedes 为被替换的资料编号）。"""

    exclude_fields = ("file", "text")
    subject_type = serializers.SerializerMethodField(label="对象类型（应用.模型）")
    subject_type_display = serializers.SerializerMethodField(label="对象类型（名称）")
    subject_display = serializers.SerializerMethodField(label="所属对象")
    file_url = serializers.SerializerMethodField(label="文件下载地址")

    class Meta(ObjectSerializer.Meta):
        model = Document

    def get_subject_type(self, obj: Document) -> str:
        return f"{obj.subject_type.app_label}.{obj.subject_type.model}"

    def get_subject_type_display(self, obj: Document) -> str:
        model = obj.subject_type.model_class()
        return str(model._meta.verbose_name) if model is not None else ""

    def get_subject_display(self, obj: Document) -> str:
        subject = obj.subject
        return str(subject) if subject is not None else ""

    def get_file_url(self, obj: Document) -> str:
        path = reverse("api:archives:document-file", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class DocumentUploadSerializer(serializers.Serializer):
    """上传档案资料（multipart/form-data）：对象类型（如 registry.floor）与编号、类别代码
    （如 floor_plan）、文件；标题、成文日期、来源可选；supersedes 为被替换的现行版本编号。"""

    subject_type = serializers.CharField(label="对象类型", max_length=100)
    subject_id = serializers.IntegerField(label="对象编号", min_value=1, max_value=MAX_ID)
    category = serializers.CharField(label="类别代码", max_length=30)
    file = serializers.FileField(label="文件", allow_empty_file=False)
    title = serializers.CharField(label="标题", max_length=200, required=False, allow_blank=True)
    issued_on = serializers.DateField(label="成文日期", required=False, allow_null=True)
    source = serializers.CharField(label="来源", max_length=200, required=False, allow_blank=True)
    supersedes = serializers.IntegerField(
        label="替换的资料编号", min_value=1, max_value=MAX_ID, required=False, allow_null=True
    )
