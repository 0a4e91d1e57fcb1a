"""Serializers of titles and use certificates (conventions of framework.api.serializers)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from ...framework.api.serializers import ObjectSerializer, ScopedPrimaryKeyRelatedField
from ...registry.models import Organization, Room
from ..models import CertifiedRoom, Title, UseCertificate


class TitleSerializer(ObjectSerializer):
    """权属登记：院落或楼座（二选一）的不动产权证、备案、权属不清或争议；region 由系统按院落/楼座填写。"""

    class Meta(ObjectSerializer.Meta):
        model = Title


class CertifiedRoomSerializer(serializers.ModelSerializer):
    """证内房间：发证时的房间名称、类别和使用面积；room 为空表示房间已从台账删除。"""

    category_display = serializers.CharField(
        source="get_category_display", read_only=True, label="用房类别（名称）"
    )

    class Meta:
        model = CertifiedRoom
        fields = ["room", "label", "category", "category_display", "usable_area"]
        read_only_fields = fields


class UseCertificateSerializer(ObjectSerializer):
    """使用权证：机关事务管理局为单位在用房间签发；房间调出、闲置（腾退）、封存、待处置或删除时自动注销。
    verify_url 为二维码所指的公开核验页面。"""

    exclude_fields = ("verify_token",)
    certified_rooms = CertifiedRoomSerializer(many=True, read_only=True, label="证内房间")
    verify_url = serializers.SerializerMethodField(label="核验页面地址")

    class Meta(ObjectSerializer.Meta):
        model = UseCertificate

    def get_verify_url(self, obj: UseCertificate) -> str:
        path = reverse("verify:certificate", args=[obj.verify_token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class IssueCertificateSerializer(serializers.Serializer):
    """签发使用权证：使用单位、房间（编号列表）、发证日期（默认今天）、备注。"""

    organization = ScopedPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), label="使用单位"
    )
    rooms = ScopedPrimaryKeyRelatedField(
        queryset=Room.objects.all(), many=True, label="房间", allow_empty=False
    )
    issued_on = serializers.DateField(label="发证日期", required=False)
    note = serializers.CharField(label="备注", required=False, allow_blank=True, max_length=2000)


class RevokeCertificateSerializer(serializers.Serializer):
    """注销使用权证。"""

    revoke_reason = serializers.CharField(label="注销原因", max_length=300)
