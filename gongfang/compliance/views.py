"""Pages of the warning centre (预警中心). Warnings are written by the engine only: there is no
add, edit or delete page; the transitions post to the life-cycle service."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django_tables2 import RequestConfig

from ..framework.filtersets import applied_filters
from ..framework.forms import apply_errors
from ..framework.spreadsheets import defuse
from ..framework.views import ObjectListView, ObjectView
from ..framework.views.generic import PER_PAGE_CHOICES, BaseObjectView, active_filters
from . import selectors
from .filtersets import WarningFilterSet
from .forms import TransitionForm
from .models import Warning
from .services import TRANSITIONS, allowed_transitions, record_export, transition
from .tables import WarningTable


class WarningViewMixin:
    """No add, edit or delete pages exist for warnings, whatever the role's permissions."""

    def base_context(self) -> dict[str, Any]:
        return {
            "model": Warning,
            "verbose_name": Warning._meta.verbose_name,
            "app_verbose_name": Warning._meta.app_config.verbose_name,
            "list_url": reverse("compliance:warning_list"),
            "add_url": "",
            "can_add": False,
            "can_change": False,
            "can_delete": False,
        }


class WarningListView(WarningViewMixin, ObjectListView):
    """Counts by rule, state, sub-region and organization over the filtered warnings, then the
    list; a filter change reloads both (the counts swapped out of band)."""

    queryset = Warning.objects.select_related("region", "organization")
    filterset = WarningFilterSet
    table = WarningTable
    template_name = "compliance/warning_list.html"
    partial_template = "compliance/htmx/warning_table.html"
    filter_order = (
        "rule",
        "state",
        "active",
        "overdue",
        "region",
        "region_only",
        "unit",
        "organization",
        "subject",
        "mode",
        "found_after",
        "found_before",
    )

    def get(self, request):
        queryset = self.restricted()
        filterset = self.filterset(request.GET, queryset=queryset, request=request)
        filterset.form.order_fields(self.filter_order)
        rows = filterset.qs if filterset.is_valid() else queryset.none()
        table = self.table(rows, order_by=request.GET.get("sort"), user=request.user)
        self.apply_columns(table)
        per_page = self.per_page()
        RequestConfig(request, paginate={"per_page": per_page}).configure(table)
        table.partial = True
        table.per_page = per_page
        table.per_page_choices = PER_PAGE_CHOICES
        query = {k: v for k, v in request.GET.items() if v and k not in ("page", "columns")}
        context = {
            **self.base_context(),
            "table": table,
            "filterset": filterset,
            "filter_form": filterset.form,
            "per_page": per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "columns": table.choosable_columns(),
            "visible_columns": [c.name for c in table.columns if c.name != "actions"],
            "active_filters": active_filters(request, filterset),
            "counts": selectors.counts(request.user, rows, query),
            "export_url": reverse("compliance:warning_export") + "?" + request.GET.urlencode(),
        }
        partial = (
            request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
        )
        response = render(
            request, self.partial_template if partial else self.template_name, context
        )
        patch_vary_headers(response, ("HX-Request",))
        return response


class WarningView(WarningViewMixin, ObjectView):
    queryset = Warning.objects.select_related(
        "region", "organization", "room", "person", "building", "approver"
    )
    template_name = "compliance/warning.html"

    def get_extra_context(self, obj: Warning) -> dict[str, Any]:
        return self.extra_context_for(self.request.user, obj)

    @staticmethod
    def extra_context_for(user, obj: Warning, forms: dict | None = None) -> dict[str, Any]:
        page = selectors.warning_page(user, obj)
        forms = forms or {}
        page["forms"] = [
            forms.get(t.name) or TransitionForm(transition=t, warning=obj, user=user)
            for t in page["transitions"]
        ]
        return page


class WarningTransitionView(WarningViewMixin, BaseObjectView):
    """POST a transition; on a refusal the warning's page comes back with the form's errors."""

    queryset = WarningView.queryset
    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        warning = self.get_object(pk)
        spec = TRANSITIONS.get(action)
        if spec is None:
            raise Http404("没有该处理操作。")
        if not set(request.user.roles or ()) & spec.roles:
            raise PermissionDenied(f"您的角色不能对预警执行“{spec.label}”。")
        form = TransitionForm(request.POST, transition=spec, warning=warning, user=request.user)
        if form.is_valid():
            try:
                result = transition(
                    actor=request.user, warning=warning, action=action, **form.service_kwargs()
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                pending = getattr(result, "waiver_request", None)
                if pending is not None:
                    messages.success(
                        request,
                        f"“{spec.label}”申请已提交审批（{pending.number}），"
                        "审批人签批后预警状态才改变。",
                    )
                else:
                    messages.success(request, f"已{spec.label}：{warning}。")
                return HttpResponseRedirect(warning.get_absolute_url())
        if spec not in allowed_transitions(request.user, warning):  # e.g. its state moved on
            for error in form.non_field_errors():
                messages.error(request, error)
            return HttpResponseRedirect(warning.get_absolute_url())
        context = {
            **self.base_context(),
            "object": warning,
            **WarningView.extra_context_for(request.user, warning, forms={action: form}),
            "open_form": action,
        }
        return render(request, WarningView.template_name, context)


CSV_HEADER = (
    "编号",
    "规则",
    "对象类型",
    "对象",
    "情况",
    "单位",
    "所在区划",
    "状态",
    "逾期",
    "整改方式",
    "整改期限",
    "实际",
    "标准/限值",
    "超出",
    "计量单位",
    "超标面积（m²）",
    "依据条款",
    "适用标准版本",
    "首次发现",
    "最近核查",
    "解决时间",
    "重新出现次数",
    "理由",
    "审批人",
)


def _cell(value: Any) -> str:
    """Text for a spreadsheet that Excel never runs as a formula."""
    return defuse("" if value is None else str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


class WarningExportView(WarningViewMixin, BaseObjectView):
    """The filtered warnings as CSV (UTF-8 with BOM, so Excel opens it); the export is logged."""

    queryset = Warning.objects.select_related("region", "organization", "approver")

    def get(self, request):
        filterset = WarningFilterSet(request.GET, queryset=self.restricted(), request=request)
        rows = filterset.qs if filterset.is_valid() else self.restricted().none()
        rows = rows.order_by("pk")
        record_export(actor=request.user, filters=applied_filters(filterset), rows=rows.count())
        response = StreamingHttpResponse(self.lines(rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="warnings-{stamp}.csv"'
        return response

    def lines(self, rows) -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(CSV_HEADER)
        for w in rows.iterator(chunk_size=1000):
            f = w.figures or {}
            versions = "；".join(v.get("label", "") for v in (w.ruleset or {}).get("versions", []))
            yield writer.writerow(
                [
                    _cell(v)
                    for v in (
                        w.pk,
                        w.get_rule_display(),
                        w.get_subject_display(),
                        w.subject_label,
                        w.summary,
                        w.organization.name if w.organization_id else "",
                        w.region.name,
                        w.get_state_display(),
                        "是" if w.is_overdue else "否",
                        w.get_mode_display() if w.mode else "",
                        w.deadline.isoformat() if w.deadline else "",
                        f.get("actual"),
                        f.get("limit"),
                        f.get("excess"),
                        f.get("unit"),
                        w.excess_area,
                        w.clause,
                        versions,
                        timezone.localtime(w.first_found_at).strftime("%Y-%m-%d %H:%M"),
                        timezone.localtime(w.last_checked_at).strftime("%Y-%m-%d %H:%M"),
                        timezone.localtime(w.resolved_at).strftime("%Y-%m-%d %H:%M")
                        if w.resolved_at
                        else "",
                        w.reopened_count,
                        w.reason,
                        w.approver.username if w.approver_id else "",
                    )
                ]
            )
