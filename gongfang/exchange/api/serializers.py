"""Serializers of exchange (conventions of framework.api.serializers). Names carry "Exchange" so
the OpenAPI components do not clash with other apps'."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...framework.api.serializers import ObjectSerializer
from ...framework.links import pk_url
from .. import models as m


class ExchangePeerSerializer(ObjectSerializer):
    """交换对象：登记的上级或下级系统（公钥在“数据交换”页面登记、停用）。"""

    class Meta(ObjectSerializer.Meta):
        model = m.Peer


class ExchangePackageSerializer(ObjectSerializer):
    """交换包：收到或发出的报送包、退回包及验签结果；包原文经 download_url 下载（签名覆盖原文的
    每个字节，须原样保存和转交）。"""

    # The package's text is the download, byte for byte; a list would carry megabytes of it.
    exclude_fields = ("data",)
    download_url = serializers.SerializerMethodField(label="包原文下载地址")

    class Meta(ObjectSerializer.Meta):
        model = m.Package

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, obj: m.Package) -> str:
        path = pk_url("api:exchange:package-download", obj.pk)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ExchangeReturnSerializer(serializers.Serializer):
    reasons = serializers.CharField(label="退回原因", max_length=2000)
