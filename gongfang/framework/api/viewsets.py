"""Generic viewsets: the scoped queryset decides what exists, the service does every write.

A model's viewset declares ``queryset`` (with the ``select_related`` its ``display`` needs),
``serializer_class`` and ``filterset_class``; nothing else. Rows come from
``queryset.restrict(user, action)`` with the action the HTTP method performs, so an id outside the
account's scope answers 404 and a list never shows it. Writes go through ``service_for(model)``;
its Django ``ValidationError`` becomes a 400 keyed by the serializer's field names.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, viewsets
from rest_framework.exceptions import ValidationError

from ..services import service_for
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


class ObjectViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """List, retrieve, create, update, delete: reads scoped, writes through the model's service."""

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

    def perform_update(self, serializer) -> None:
        try:
            instance, notices = self.service.update(
                actor=self.request.user,
                instance=serializer.instance,
                data=dict(serializer.validated_data),
            )
        except DjangoValidationError as exc:
            raise self._api_error(exc, serializer) from exc
        instance._api_notices = notices
        serializer.instance = instance

    @extend_schema(responses={204: OpenApiResponse(description="已删除，无响应内容")})
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: models.Model) -> None:
        try:
            self.service.delete(actor=self.request.user, instance=instance)
        except DjangoValidationError as exc:
            raise self._api_error(exc) from exc
