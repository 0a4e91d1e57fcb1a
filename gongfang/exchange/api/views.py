"""The receiving endpoint: a lower (or upper) system posts a signed package as the body."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ...framework.api.permissions import ScopedModelPermission
from .. import services
from ..models import Package


class RawParser(BaseParser):
    """The package's bytes as they came: the signature covers them exactly."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


# What the receiver answers, imported (201) or refused (400): the package as filed.
RESULT = inline_serializer(
    "ExchangeReceiveResult",
    {
        "id": serializers.IntegerField(),
        "accepted": serializers.BooleanField(),
        "verified": serializers.BooleanField(),
        "detail": serializers.CharField(),
        "sha256": serializers.CharField(),
    },
)


class ReceivePackageView(APIView):
    """接收交换包：请求体为对方系统签名的报送包或退回包（原样字节）；验签通过后导入，否则拒收并说明原因。"""

    parser_classes = [RawParser]
    # Receiving files a package: the accounts that may add packages (the bureaus), not the three
    # administrators.
    queryset = Package.objects.all()
    permission_classes = [ScopedModelPermission]

    @extend_schema(
        request={"application/json": OpenApiTypes.BINARY},
        responses={
            201: OpenApiResponse(RESULT, description="已导入"),
            400: OpenApiResponse(RESULT, description="拒收，detail 为原因"),
        },
    )
    def post(self, request):
        package = services.receive(data=request.body, actor=request.user)
        body = {
            "id": package.pk,
            "accepted": package.accepted,
            "verified": package.verified,
            "detail": package.result,
            "sha256": package.sha256,
        }
        return Response(body, status=201 if package.accepted else 400)
