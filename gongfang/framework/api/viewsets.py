"""Generic viewsets: the scoped queryset decides what exists, the service does every write.

A model's viewset declares ``queryset`` (with the ``select_related`` its ``display`` needs),
``serializer_class`` and ``filterset_class``; nothing else. Rows come from
``queryset.restrict(user, action)`` with the action the HTTP method performs, so an id outside the
account's scope answers 404 and a list never shows it. Writes go through ``service_for(model)``;
its Django ``ValidationError`` becomes a 400 keyed by the serializer's field names.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, status, viewsets
from rest_framework.exceptions import APIException, ValidationError

from ..services import service_for
from ..versions import StaleObjectError, etag, is_versioned, parse_version
from .exceptions import as_api_error
from .permissions import action_for
from .schema import ObjectSchema

# Model fields the ``ordering`` parameter does not offer: unordered values.
UNORDERABLE = (models.JSONField, models.FileField)


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """The browsable API without its HTML forms.

    A form renders every related object as an option (17,000 rooms); the raw JSON form stays.
    """

    def get_rendered_html_form(self, data, view, method, request):
        return None


class ScopedViewSetMixin:
    """The queryset restricted to the requesting account for the method's action."""

    queryset: ClassVar[models.QuerySet]
    renderer_classes = (renderers.JSONRenderer, BrowsableAPIRenderer)
    schema = ObjectSchema()

    def get_queryset(self) -> models.QuerySet:
        queryset = self.queryset.all()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return queryset.restrict(self.request.user, action_for(self.request.method))

    def finalize_response(self, request, response, *args, **kwargs):
        """Every answer carrying one object carries its version as ``ETag``."""
        response = super().finalize_response(request, response, *args, **kwargs)
        instance = getattr(self, "_etag_instance", None)
        if (
            instance is not None
            and response.status_code < 300
            and instance.pk is not None
            and is_versioned(instance)
        ):
            response["ETag"] = etag(instance)
        return response

    def get_object(self) -> models.Model:
        self._etag_instance = super().get_object()
        return self._etag_instance

    @property
    def ordering_fields(self) -> list[str]:
        """Every concrete field of the model may sort the list (``?ordering=-usable_area``)."""
        return [
            f.name
            for f in self.queryset.model._meta.concrete_fields
            if not isinstance(f, UNORDERABLE)
        ]


class ReadOnlyObjectViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, inside the account's scope."""


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "If-Match 所指的版本不是该对象的当前版本，未保存。"
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "修改和删除须在 If-Match 请求头中给出所依据的版本（先读取对象，取其 ETag）。"
    default_code = "precondition_required"


def expected_version(request, model: type[models.Model]) -> int | None:
    """The version named by ``If-Match`` (None for ``*``, for no header when allowed, and for
    a model without versions)."""
    if not is_versioned(model):
        return None
    header = request.headers.get("If-Match", "").strip()
    if not header:
        if settings.API_REQUIRE_IF_MATCH:
            raise PreconditionRequired()
        return None
    if header == "*":
        return None
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    version = parse_version(tag)
    if version is None:
        raise PreconditionFailed(f"If-Match 的值“{header[:40]}”不是本系统给出的版本标记。")
    return version


class ObjectViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """List, retrieve, create, update, delete: reads scoped, writes through the model's service.

    Single objects carry their version as ``ETag``; ``PUT``/``PATCH``/``DELETE`` honour
    ``If-Match`` (412 when the object has moved on since), documented by ``ObjectSchema``.
    """

    @property
    def service(self):
        return service_for(self.queryset.model)

    def _api_error(self, exc: DjangoValidationError, serializer=None) -> ValidationError:
        fields = (
            [name for name, f in serializer.fields.items() if not f.read_only] if serializer else []
        )
        return as_api_error(exc, fields=fields, model=self.queryset.model)

    def perform_create(self, serializer) -> None:
        try:
            instance, notices = self.service.create(
                actor=self.request.user, data=dict(serializer.validated_data)
            )
        except DjangoValidationError as exc:
            raise self._api_error(exc, serializer) from exc
        instance._api_notices = notices
        serializer.instance = instance
        self._etag_instance = instance

    def perform_update(self, serializer) -> None:
        try:
            instance, notices = self.service.update(
                actor=self.request.user,
                instance=serializer.instance,
                data=dict(serializer.validated_data),
                expected_version=expected_version(self.request, self.queryset.model),
            )
        except StaleObjectError as exc:
            raise PreconditionFailed(exc.messages[0]) from exc
        except DjangoValidationError as exc:
            raise self._api_error(exc, serializer) from exc
        instance._api_notices = notices
        serializer.instance = instance

    @extend_schema(responses={204: OpenApiResponse(description="已删除，无响应内容")})
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: models.Model) -> None:
        try:
            self.service.delete(
                actor=self.request.user,
                instance=instance,
                expected_version=expected_version(self.request, self.queryset.model),
            )
        except StaleObjectError as exc:
            raise PreconditionFailed(exc.messages[0]) from exc
        except DjangoValidationError as exc:
            raise self._api_error(exc) from exc
