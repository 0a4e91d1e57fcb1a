"""Pages of what approved cases recorded: the approved uses of rooms (出借、出租、租用、用途变更)
and the construction projects. Read only: they are written by the cases' effects, never by hand."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ..framework.views import ObjectListView, ObjectView
from ..framework.views.generic import url_name
from . import filtersets, tables
from .models import ApprovedUse, ConstructionProject


class ReadOnly:
    """No add, edit or delete button: the rows come from approved cases."""

    def base_context(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "verbose_name": self.model._meta.verbose_name,
            "app_verbose_name": self.model._meta.app_config.verbose_name,
            "list_url": reverse(url_name(self.model, "_list")),
            "add_url": "",
            "can_add": False,
            "can_change": False,
            "can_delete": False,
        }


class ApprovedUseListView(ReadOnly, ObjectListView):
    queryset = ApprovedUse.objects.select_related(
        "room__floor__building__compound", "counterparty", "case"
    )
    filterset = filtersets.ApprovedUseFilterSet
    table = tables.ApprovedUseTable
    filter_order = ("region", "unit", "use", "room", "ends_after", "ends_before")


class ApprovedUseView(ReadOnly, ObjectView):
    queryset = ApprovedUse.objects.select_related(
        "room__floor__building__compound", "counterparty", "case"
    )
    attributes = (
        "room",
        "use",
        "counterparty",
        "party",
        "rent",
        "starts_on",
        "ends_on",
        "ended_on",
        "agreement_number",
        "bidding_record",
        "case",
    )


class ConstructionProjectListView(ReadOnly, ObjectListView):
    queryset = ConstructionProject.objects.select_related("organization", "building", "case")
    filterset = filtersets.ConstructionProjectFilterSet
    table = tables.ConstructionProjectTable
    filter_order = ("region", "unit", "kind")


class ConstructionProjectView(ReadOnly, ObjectView):
    queryset = ConstructionProject.objects.select_related(
        "organization", "building__compound", "case"
    )
    attributes = (
        "name",
        "kind",
        "organization",
        "location",
        "building",
        "building_area",
        "budget",
        "funding",
        "starts_on",
        "note",
        "case",
    )
