"""The global change log for the audit administrator: searchable list and one change in full.

Read-only by construction: no edit or delete view exists, and the model refuses both.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import render

from ..filtersets import ObjectChangeFilterSet
from ..models import ObjectChange
from ..tables import ObjectChangeTable
from .generic import ObjectListView, ObjectView


class ObjectChangeListView(ObjectListView):
    queryset = ObjectChange.objects.select_related("user", "changed_object_type")
    filterset = ObjectChangeFilterSet
    table = ObjectChangeTable
    template_name = "framework/objectchange_list.html"


class ObjectChangeView(ObjectView):
    queryset = ObjectChange.objects.select_related("user", "changed_object_type")
    template_name = "framework/objectchange.html"

    def get(self, request, pk):
        change = self.get_object(pk)
        context = {**self.base_context(), "object": change, **self.get_extra_context(change)}
        return render(request, self.template_name, context)

    def get_extra_context(self, obj: ObjectChange) -> dict[str, Any]:
        model = obj.changed_object_type.model_class() if obj.changed_object_type_id else None
        target_url = None
        if model is not None and obj.action != ObjectChange.Action.DELETE:
            user = self.request.user
            if user.has_model_perm(model, "view") and hasattr(model.objects, "restrict"):
                target = model.objects.restrict(user).filter(pk=obj.changed_object_id).first()
                target_url = target.get_absolute_url() if target is not None else None
        same_request = (
            ObjectChange.objects.filter(request_id=obj.request_id).exclude(pk=obj.pk).count()
            if obj.request_id
            else 0
        )
        return {
            "object_type": (
                model._meta.verbose_name if model else getattr(obj.changed_object_type, "model", "")
            ),
            "target_url": target_url,
            "same_request": same_request,
        }
