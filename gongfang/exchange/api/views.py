"""The API of exchange: the receiving endpoint (a lower or upper system posts a signed package as
the body) and the packages sent and received, with returning a received submission package."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ...framework.api.permissions import ReadersMayAct, ScopedModelPermission
from ...framework.api.viewsets import ReadOnlyObjectViewSet
from .. import services
from ..filtersets import PackageFilterSet, PeerFilterSet
from ..models import Package, Peer
from ..views import package_response
from . import serializers as s


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


class PeerViewSet(ReadOnlyObjectViewSet):
    """交换对象：登记的上级、下级系统（只读；登记系统和公钥在“数据交换”页面办理）。"""

    queryset = Peer.objects.select_related("region", "organization")
    serializer_class = s.ExchangePeerSerializer
    filterset_class = PeerFilterSet


class PackageViewSet(ReadOnlyObjectViewSet):
    """交换包：收到和发出的报送包、退回包（只读）及验签结果；download 下载包原文，
    return 退回收到的报送包（制作签名退回包）。"""

    queryset = Package.objects.select_related("region", "peer", "submission", "handled_by")
    serializer_class = s.ExchangePackageSerializer
    filterset_class = PackageFilterSet

    def get_queryset(self):
        # The return is authorized by the service (the bureau of the receiving region): the
        # package is found with the reader's scope.
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return self.queryset.restrict(self.request.user, "view")

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="包原文（签名的 JSON 文本，原样字节）"
            )
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """下载包原文（签名覆盖原文的每个字节：原样保存、转交，不要重新排版）。"""
        return package_response(self.get_object())

    @extend_schema(
        request=s.ExchangeReturnSerializer,
        responses={201: OpenApiResponse(s.ExchangePackageSerializer, description="已退回")},
        operation_id="exchange_packages_return_create",
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[ReadersMayAct],
        url_path="return",
        url_name="return",
    )
    def return_(self, request, pk=None) -> Response:
        """退回收到的报送包（接收区划的机关事务管理部门），须写明原因（reasons）：该报送改为已退回，
        并制作签名退回包；答复为发出的退回包，经 download_url 下载后发回下级系统。"""
        received = self.get_object()
        body = s.ExchangeReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            returned = services.send_return(
                received=received, reasons=body.validated_data["reasons"], actor=request.user
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"detail": "；".join(exc.messages)}) from exc
        self._etag_instance = returned
        return Response(self.get_serializer(returned).data, status=status.HTTP_201_CREATED)
