"""A service's step as an API action: ``POST /api/<app>/<objects>/<id>/<step>/``.

A step (submit, sign, approve, recheck, …) loads the object, reads an optional body, passes the
``If-Match`` version to the service and answers the object as it is stored afterwards, with its
new ``ETag``. The service's refusals reach the client as the API's 403 / 412 / 400 with the
service's Chinese message (:func:`service_refusals`, also for actions that are not steps).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from ..versions import StaleObjectError
from .exceptions import as_api_error
from .viewsets import PreconditionFailed, expected_version

# A step's call of its service: (object, validated body, If-Match version) -> the object to answer.
StepRun = Callable[[models.Model, dict[str, Any], int | None], models.Model]


@contextmanager
def service_refusals(
    *, fields: Iterable[str] = (), model: type[models.Model] | None = None
) -> Iterator[None]:
    """A service's ``PermissionDenied`` as 403, ``StaleObjectError`` as 412 and
    ``ValidationError`` as 400 keyed by ``fields`` (the body's names, see ``as_api_error``)."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc
    except StaleObjectError as exc:
        raise PreconditionFailed(exc.messages[0]) from exc
    except DjangoValidationError as exc:
        raise as_api_error(exc, fields=fields, model=model) from exc


class StepActionMixin:
    """``step()`` for a viewset's actions that each run one service step on one object.

    ``read_scope_actions`` names the steps whose object is found in the account's read scope
    rather than the scope of the POST: who may take such a step is the service's to decide.
    """

    read_scope_actions: ClassVar[tuple[str, ...]] = ()

    def get_queryset(self) -> models.QuerySet:
        if getattr(self, "action", None) in self.read_scope_actions and not getattr(
            self, "swagger_fake_view", False
        ):
            return self.queryset.restrict(self.request.user, "view")
        return super().get_queryset()

    def step(
        self,
        request,
        body_class: type[serializers.Serializer] | None,
        run: StepRun,
        *,
        status_code: int = status.HTTP_200_OK,
    ) -> Response:
        """Validate the body (``body_class``; None: no body), ``run`` the service on the object
        with the ``If-Match`` version, answer what ``run`` returns as stored (``status_code``)."""
        instance = self.get_object()
        fields: list[str] = []
        data: dict[str, Any] = {}
        if body_class is not None:
            body = body_class(data=request.data, context={"request": request})
            body.is_valid(raise_exception=True)
            fields, data = list(body.fields), dict(body.validated_data)
        version = expected_version(request, self.queryset.model)
        with service_refusals(fields=fields, model=self.queryset.model):
            result = run(instance, data, version)
        result.refresh_from_db()
        self._etag_instance = result
        return Response(self.get_serializer(result).data, status=status_code)
