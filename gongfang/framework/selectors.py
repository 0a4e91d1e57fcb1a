"""Reads the framework offers every app."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import ObjectChange


def changes_for(obj: models.Model) -> models.QuerySet[ObjectChange]:
    """The change log of one object, newest first. The caller has already checked that the
    account may see ``obj``; its history comes with it."""
    return ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        changed_object_id=obj.pk,
    ).select_related("user")
