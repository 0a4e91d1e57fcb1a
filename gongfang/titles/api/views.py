"""Viewsets of titles (generic) and use certificates (list, detail, issue, revoke, PDF)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ...framework.api.exceptions import as_api_error
from ...framework.api.schema import IF_MATCH
from ...framework.api.steps import StepActionMixin
from ...framework.api.viewsets import ObjectViewSet, ReadOnlyObjectViewSet
from ...framework.changelog import record_event
from ...framework.pdf import pdf_response, render_pdf
from .. import filtersets as f
from .. import selectors, services
from ..models import Title, UseCertificate
from . import serializers as s


class TitleViewSet(ObjectViewSet):
    """权属登记（院落或楼座的不动产权证、备案、权属不清、争议）。"""

    queryset = Title.objects.select_related("compound", "building__compound", "holder", "region")
    serializer_class = s.TitleSerializer
    filterset_class = f.TitleFilterSet


class UseCertificateViewSet(StepActionMixin, mixins.CreateModelMixin, ReadOnlyObjectViewSet):
    """使用权证：列表、详情；POST 签发（机关事务管理员）；revoke 注销；pdf 打印件。"""

    queryset = UseCertificate.objects.select_related(
        "organization", "region", "issued_by"
    ).prefetch_related("certified_rooms")
    serializer_class = s.UseCertificateSerializer
    filterset_class = f.UseCertificateFilterSet

    @extend_schema(
        request=s.IssueCertificateSerializer,
        responses={201: s.UseCertificateSerializer, 400: OpenApiResponse(description="不能签发")},
    )
    def create(self, request, *args, **kwargs) -> Response:
        """签发使用权证：房间须均由该单位使用、在用、未列入其他有效使用权证。"""
        if not services.can_issue(request.user):
            raise exceptions.PermissionDenied("只有机关事务管理员可以签发使用权证。")
        body = s.IssueCertificateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            certificate = services.issue_certificate(
                actor=request.user,
                organization=data["organization"],
                rooms=data["rooms"],
                issued_on=data.get("issued_on"),
                note=data.get("note", ""),
            )
        except DjangoValidationError as exc:
            raise as_api_error(
                exc, fields=["organization", "rooms", "issued_on", "note"], model=UseCertificate
            ) from exc
        self._etag_instance = certificate
        return Response(self.get_serializer(certificate).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.RevokeCertificateSerializer,
        responses={200: s.UseCertificateSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None) -> Response:
        """注销使用权证（机关事务管理员），须说明原因。"""
        return self.step(
            request,
            s.RevokeCertificateSerializer,
            lambda certificate, d, v: services.revoke_certificate(
                actor=request.user,
                certificate=certificate,
                reason=d["revoke_reason"],
                expected_version=v,
            ),
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """使用权证打印件（A4 PDF，含核验二维码）。"""
        from ..views import qr_data_uri, verify_url

        certificate = self.get_object()
        url = verify_url(request, certificate)
        content = render_pdf(
            "titles/usecertificate_pdf.html",
            {
                "certificate": certificate,
                "lines": selectors.certificate_lines(certificate),
                "qr": qr_data_uri(url),
                "verify_url": url,
            },
        )
        record_event(actor=request.user, event="usecertificate.pdf", obj=certificate)
        return pdf_response(content, f"使用权证-{certificate.number}.pdf")
