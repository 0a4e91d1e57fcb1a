"""Pages of the standards: the generic pages of versions and rows, and 适用标准查询.

Views stay thin: reads come from ``selectors``, writes go through the services (in the generic
views), scope comes from ``restrict()``. National versions and their rows show no edit buttons:
they change only with a new release (a data migration).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from ..framework.views import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView
from . import filtersets, forms, selectors, tables
from .models import (
    NATIONAL_READ_ONLY,
    Clause,
    GradeEquivalence,
    OfficeLimit,
    RuleParameter,
    ServiceAllowance,
    StandardVersion,
    account_region,
    can_write_version,
)


# Versions -------------------------------------------------------------------------------------
class StandardVersionListView(ObjectListView):
    queryset = StandardVersion.objects.select_related("region")
    filterset = filtersets.StandardVersionFilterSet
    table = tables.StandardVersionTable
    filter_order = ("kind", "applies_to", "region", "in_force_on")
    template_name = "standards/standardversion_list.html"


class StandardVersionView(ObjectView):
    queryset = StandardVersion.objects.select_related("region")
    template_name = "standards/standardversion.html"
    attributes = ("name", "kind", "region", "source", "effective_from", "effective_to", "notes")

    def get_extra_context(self, obj) -> dict[str, Any]:
        detail = selectors.version_detail(self.request.user, obj)
        return {
            "detail": detail,
            "can_change": detail["can_write"],
            "can_delete": detail["can_write"],
            "national_read_only": NATIONAL_READ_ONLY,
            "recheck": selectors.recheck_progress(obj),
        }


class StandardVersionRecheckView(StandardVersionView):
    """The re-check card alone, polled by the version's page while the re-check runs."""

    def get(self, request, pk):
        obj = self.get_object(pk)
        context = {"object": obj, "recheck": selectors.recheck_progress(obj)}
        return render(request, "standards/htmx/recheck.html", context)


class StandardVersionEditView(ObjectEditView):
    queryset = StandardVersion.objects.select_related("region")
    form = forms.StandardVersionForm


class StandardVersionDeleteView(ObjectDeleteView):
    queryset = StandardVersion.objects.select_related("region")


# Rows -------------------------------------------------------------------------------------------
class VersionRowView(ObjectView):
    """A row's page: its version in the breadcrumbs; no edit buttons on a national row."""

    template_name = "standards/versionrow.html"

    def get_extra_context(self, obj) -> dict[str, Any]:
        writable = can_write_version(self.request.user, obj.version)
        return {
            "breadcrumbs": [(str(obj.version), obj.version.get_absolute_url())],
            "version": obj.version,
            "can_change": writable,
            "can_delete": writable,
            "national_read_only": NATIONAL_READ_ONLY,
        }


def row_views(model, filterset, table, form, attributes: tuple[str, ...]) -> dict[str, type]:
    """The list, detail, edit and delete pages of one kind of row."""
    queryset = model.objects.select_related("version__region")
    name = model.__name__
    return {
        f"{name}ListView": type(
            f"{name}ListView",
            (ObjectListView,),
            {
                "queryset": queryset,
                "filterset": filterset,
                "table": table,
                "filter_order": ("version", "kind", "applies_to", "in_force_on"),
            },
        ),
        f"{name}View": type(
            f"{name}View", (VersionRowView,), {"queryset": queryset, "attributes": attributes}
        ),
        f"{name}EditView": type(
            f"{name}EditView", (ObjectEditView,), {"queryset": queryset, "form": form}
        ),
        f"{name}DeleteView": type(f"{name}DeleteView", (ObjectDeleteView,), {"queryset": queryset}),
    }


ROW_PAGES: dict[type, dict[str, type]] = {
    OfficeLimit: row_views(
        OfficeLimit,
        filtersets.OfficeLimitFilterSet,
        tables.OfficeLimitTable,
        forms.OfficeLimitForm,
        ("version", "standard_level", "grade", "area", "toilet_allowed", "clause"),
    ),
    GradeEquivalence: row_views(
        GradeEquivalence,
        filtersets.GradeEquivalenceFilterSet,
        tables.GradeEquivalenceTable,
        forms.GradeEquivalenceForm,
        ("version", "rank_title", "grade", "clause"),
    ),
    ServiceAllowance: row_views(
        ServiceAllowance,
        filtersets.ServiceAllowanceFilterSet,
        tables.ServiceAllowanceTable,
        forms.ServiceAllowanceForm,
        ("version", "standard_level", "per_capita", "clause"),
    ),
    RuleParameter: row_views(
        RuleParameter,
        filtersets.RuleParameterFilterSet,
        tables.RuleParameterTable,
        forms.RuleParameterForm,
        ("version", "key", "value", "unit", "clause"),
    ),
    Clause: row_views(
        Clause,
        filtersets.ClauseFilterSet,
        tables.ClauseTable,
        forms.ClauseForm,
        ("version", "key", "title", "text"),
    ),
}


# 适用标准查询 -------------------------------------------------------------------------------------
class EffectiveView(LoginRequiredMixin, View):
    """The combined standard for a region in scope on a day, each figure with its version."""

    template_name: ClassVar[str] = "standards/effective.html"

    def get(self, request):
        user = request.user
        if not user.has_model_perm(StandardVersion, "view"):
            raise PermissionDenied
        data = request.GET if "region" in request.GET or "on" in request.GET else None
        form = forms.EffectiveForm(data, user=user)
        region, on, result, error = None, timezone.localdate(), None, ""
        if data is None:
            default = account_region(user)
            if (
                default is not None
                and form.fields["region"].queryset.filter(pk=default.pk).exists()
            ):
                region = default
                form = forms.EffectiveForm({"region": default.pk, "on": on.isoformat()}, user=user)
        if form.is_bound and form.is_valid():
            region, on = form.cleaned_data["region"], form.cleaned_data["on"]
            try:
                result = selectors.explain(selectors.ruleset_for(region.path, on))
            except selectors.NoStandardInForce as exc:
                error = str(exc)
        return render(
            request,
            self.template_name,
            {"form": form, "region": region, "on": on, "result": result, "error": error},
        )
