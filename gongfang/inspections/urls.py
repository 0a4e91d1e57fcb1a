"""Pages of inspections (``/inspections/…``): checklists, assessment dates, plans, inspections and
their phone page, item checks, measurements, tips; H7's findings pages are appended
(``findings_urls``)."""

from __future__ import annotations

import importlib.util

from django.urls import path

from . import views as v

app_name = "inspections"


def crud(prefix: str, name: str, views: tuple) -> list:
    """List, add, page, edit and delete routes of one model."""
    list_view, page_view, edit_view, delete_view = views
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit_view.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", page_view.as_view(), name=name),
        path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"),
    ]


urlpatterns = [
    *crud(
        "checklists",
        "checklist",
        (v.ChecklistListView, v.ChecklistView, v.ChecklistEditView, v.ChecklistDeleteView),
    ),
    *crud(
        "checklist-items",
        "checklistitem",
        (
            v.ChecklistItemListView,
            v.ChecklistItemView,
            v.ChecklistItemEditView,
            v.ChecklistItemDeleteView,
        ),
    ),
    *crud(
        "assessments",
        "assessmentdate",
        (
            v.AssessmentDateListView,
            v.AssessmentDateView,
            v.AssessmentDateEditView,
            v.AssessmentDateDeleteView,
        ),
    ),
    *crud(
        "plans",
        "inspectionplan",
        (
            v.InspectionPlanListView,
            v.InspectionPlanView,
            v.InspectionPlanEditView,
            v.InspectionPlanDeleteView,
        ),
    ),
    path(
        "plans/<int:pk>/generate/",
        v.InspectionPlanGenerateView.as_view(),
        name="inspectionplan_generate",
    ),
    path(
        "plans/<int:pk>/cancel/", v.InspectionPlanCancelView.as_view(), name="inspectionplan_cancel"
    ),
    path("", v.InspectionListView.as_view(), name="inspection_list"),
    path("<int:pk>/", v.InspectionView.as_view(), name="inspection"),
    path("<int:pk>/edit/", v.InspectionEditView.as_view(), name="inspection_edit"),
    path("<int:pk>/site/", v.InspectionSiteView.as_view(), name="inspection_site"),
    path(
        "<int:pk>/start/",
        v.InspectionStepView.as_view(),
        {"step": "start"},
        name="inspection_start",
    ),
    path(
        "<int:pk>/finish/",
        v.InspectionStepView.as_view(),
        {"step": "finish"},
        name="inspection_finish",
    ),
    path("item-checks/", v.ItemCheckListView.as_view(), name="itemcheck_list"),
    path("item-checks/<int:pk>/", v.ItemCheckView.as_view(), name="itemcheck"),
    path("measurements/", v.MeasurementListView.as_view(), name="measurement_list"),
    path("measurements/<int:pk>/", v.MeasurementView.as_view(), name="measurement"),
    path(
        "measurements/<int:pk>/accept/",
        v.MeasurementDecideView.as_view(),
        {"decision": "accept"},
        name="measurement_accept",
    ),
    path(
        "measurements/<int:pk>/reject/",
        v.MeasurementDecideView.as_view(),
        {"decision": "reject"},
        name="measurement_reject",
    ),
    *crud("tips", "tip", (v.TipListView, v.TipView, v.TipEditView, v.TipDeleteView)),
    *[
        path(f"tips/<int:pk>/{step}/", v.TipStepView.as_view(), {"step": step}, name=f"tip_{step}")
        for step in ("assign", "check", "answer", "close", "reopen")
    ],
]

# H7's findings, rectification, urge, referral and report pages, once that module is in.
if importlib.util.find_spec(f"{__package__}.findings_urls") is not None:
    from .findings_urls import urlpatterns as findings_urlpatterns

    urlpatterns += findings_urlpatterns
