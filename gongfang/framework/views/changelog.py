"""The audit log for the audit administrator: searchable list, one entry in full, CSV export.

Read-only by construction: no edit or delete view exists, and the model refuses both. The export
is itself recorded (``audit.export``) by :func:`framework.audit.export_changes`.
"""

from __future__ import annotations

import json
from typing import Any

import django_tables2 as tables
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from .. import crypto, masking
from ..audit import export_response
from ..changelog import event_label
from ..eventdata import key_label, readable
from ..filtersets import ObjectChangeFilterSet
from ..models import ObjectChange
from ..tables import ObjectChangeTable
from .generic import BaseObjectView, ObjectListView, ObjectView

ACTION_BADGES = {
    ObjectChange.Action.CREATE: "bg-green-lt",
    ObjectChange.Action.UPDATE: "bg-blue-lt",
    ObjectChange.Action.DELETE: "bg-red-lt",
    ObjectChange.Action.EVENT: "bg-purple-lt",
}


def action_badge(change: ObjectChange) -> str:
    """The action (or the event's name) as a badge; the event's code only as its tooltip, for
    whoever searches the log by code — never as text a reader meets."""
    label = None
    if change.action == ObjectChange.Action.EVENT:
        named = event_label(change.event)
        label = named if named != change.event else change.get_action_display()
    return format_html(
        '<span class="badge {}"{}>{}</span>',
        ACTION_BADGES.get(change.action, ""),
        format_html(' title="{}"', change.event) if change.event else "",
        label or change.get_action_display(),
    )


def result_badge(change: ObjectChange) -> str:
    css = "bg-red-lt" if change.result == ObjectChange.Result.FAILURE else "bg-green-lt"
    return format_html('<span class="badge {}">{}</span>', css, change.get_result_display())


class AuditLogTable(ObjectChangeTable):
    """The change log's table with what the audit log adds: the event and its result."""

    event = tables.Column(verbose_name="事件")
    result = tables.Column(verbose_name="结果")
    # The long texts wrap, so that the result stays in view beside the filters at 1440 px.
    user_name = tables.Column(verbose_name="操作账号", attrs={"td": {"class": "gf-wrap"}})
    object_repr = tables.Column(verbose_name="对象", attrs={"td": {"class": "gf-wrap"}})

    default_columns = (
        "time",
        "user_name",
        "remote_addr",
        "action",
        "changed_object_type",
        "object_repr",
        "result",
    )

    class Meta(ObjectChangeTable.Meta):
        template_name = "framework/objectchange_table.html"
        sequence = (
            "id",
            "time",
            "user_name",
            "remote_addr",
            "action",
            "event",
            "changed_object_type",
            "object_repr",
            "result",
        )

    def export_url(self) -> str:
        """The export of what the table shows: the same filters, without paging and sorting."""
        request = getattr(self, "request", None)
        params = {
            key: [v for v in values if v]
            for key, values in (request.GET.lists() if request else [])
            if key not in ("page", "sort", "per_page", "columns")
        }
        query = urlencode({k: v for k, v in params.items() if v}, doseq=True)
        url = reverse("framework:objectchange_export")
        return f"{url}?{query}" if query else url

    def render_action(self, record):
        return action_badge(record)

    def render_event(self, value):
        return event_label(value)

    def render_result(self, record):
        return result_badge(record)


class ObjectChangeListView(ObjectListView):
    queryset = ObjectChange.objects.select_related("user", "changed_object_type")
    filterset = ObjectChangeFilterSet
    table = AuditLogTable
    template_name = "framework/objectchange_list.html"
    filter_order = (
        "time_after",
        "time_before",
        "user_name",
        "remote_addr",
        "action",
        "event",
        "result",
        "changed_object_type",
        "changed_object_id",
        "request_id",
    )

    def base_context(self) -> dict[str, Any]:
        return {**super().base_context(), "verbose_name": "审计日志"}


class ObjectChangeExportView(BaseObjectView):
    """The audit log as filtered on the list page, as CSV (UTF-8 with BOM); audited."""

    queryset = ObjectChange.objects.all()

    def get(self, request):
        filterset = ObjectChangeFilterSet(request.GET, queryset=self.restricted(), request=request)
        if not filterset.is_valid():
            return HttpResponseBadRequest("筛选条件有误，未导出。".encode())
        return export_response(actor=request.user, filterset=filterset)


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
        event_data = None
        if obj.action == ObjectChange.Action.EVENT and obj.postchange_data is not None:
            data = masking.shown_data(
                self.request.user, model, obj.postchange_data, masking.Where.AUDIT
            )
            items = data.items() if isinstance(data, dict) else [("", data)]
            event_data = [
                (
                    key_label(key),
                    key,
                    _data_value(readable(obj.event, key, value)),
                    isinstance(value, dict | list),
                )
                for key, value in items
            ]
        return {
            "object_type": (
                model._meta.verbose_name if model else getattr(obj.changed_object_type, "model", "")
            ),
            "target_url": target_url,
            "same_request": same_request,
            "action_badge": action_badge(obj),
            "result_badge": result_badge(obj),
            "event_data": event_data,
            "algorithm_label": crypto.algorithm_label(obj.algorithm) if obj.algorithm else "",
        }


def _data_value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)
