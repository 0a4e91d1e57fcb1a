"""What a generic test case needs to know about a model and the accounts that test it."""

from __future__ import annotations

import datetime
import decimal
from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.forms.models import model_to_dict

from ..models import ObjectChange


class ModelTestData:
    """Declared by each model's test class.

    Accounts (set in ``setUpTestData``): ``user_with_perm`` may do everything to the model inside
    its scope; ``user_view_only`` may only view it, in the same scope; ``user_no_role`` has no
    business role; ``user_org_scoped`` (optional) is scoped to an organization instead of a
    region and may view the in-scope object.
    """

    model: ClassVar[type[models.Model]]

    def in_scope_object(self) -> models.Model:
        raise NotImplementedError

    def out_of_scope_object(self) -> models.Model:
        raise NotImplementedError

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        """Form/API data for a new object inside (or, with ``in_scope=False``, outside) scope."""
        raise NotImplementedError

    def update_data(self) -> dict[str, Any]:
        """Fields to change on the in-scope object."""
        raise NotImplementedError

    def deletable_object(self) -> models.Model:
        """An in-scope object nothing depends on (by default: a new one from ``create_data``)."""
        data = {}
        for name, value in self.create_data().items():
            field = self.model._meta.get_field(name)
            data[field.attname] = value
        obj = self.model(**data)
        obj.full_clean()
        obj.save()
        return obj

    # Helpers ---------------------------------------------------------------------------------
    def changes(self, obj: models.Model, action: str | None = None):
        qs = ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(self.model),
            changed_object_id=obj.pk,
        )
        return qs.filter(action=action) if action else qs


def form_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | decimal.Decimal):
        return str(value)
    if value is None:
        return ""
    return value


def post_data(instance: models.Model, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a browser would POST for ``instance``'s edit form, with ``changes`` applied."""
    data = {k: form_value(v) for k, v in model_to_dict(instance).items() if k != "id"}
    data.update(changes or {})
    result = {}
    for key, value in data.items():
        if value is True:
            result[key] = "on"
        elif value is False or isinstance(value, models.fields.files.FieldFile):
            continue
        else:
            result[key] = value
    return result
