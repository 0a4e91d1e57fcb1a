"""Pages of reporting (``/reporting/…``)."""

from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from ..framework.views.generic import ModelReadersMixin
from . import difference_views
from . import views as v
from .models import ReportForm

app_name = "reporting"


class FormsRedirect(ModelReadersMixin, RedirectView):
    """The fields and rules are listed on their form's page: their list names lead there (for
    the accounts that may read the forms)."""

    reader_model = ReportForm
    pattern_name = "reporting:reportform_list"


FORMS = FormsRedirect.as_view()

urlpatterns = [
    path("", v.PeriodListView.as_view(), name="reportperiod_list"),
    path("periods/<int:pk>/", v.PeriodView.as_view(), name="reportperiod"),
    path("submissions/<int:pk>/", v.SubmissionView.as_view(), name="submission"),
    path(
        "submissions/<int:pk>/<slug:action>/",
        v.SubmissionActionView.as_view(),
        name="submission_act",
    ),
    path(
        "submissions/<int:pk>/export/<slug:fmt>/",
        v.SubmissionExportView.as_view(),
        name="submission_export",
    ),
    path(
        "submissions/<int:pk>/receipts/<int:action>/",
        v.ReceiptView.as_view(),
        name="submission_receipt",
    ),
    path("submissions/<int:pk>/scan/", v.ScanView.as_view(), name="submission_scan"),
    path("differences/", difference_views.DifferenceView.as_view(), name="differences"),
    path("forms/", v.ReportFormListView.as_view(), name="reportform_list"),
    path("forms/<int:pk>/", v.ReportFormView.as_view(), name="reportform"),
    path("fields/", FORMS, name="reportfield_list"),
    path("fields/add/", v.ReportFieldEditView.as_view(), name="reportfield_add"),
    path("fields/<int:pk>/edit/", v.ReportFieldEditView.as_view(), name="reportfield_edit"),
    path("rules/", FORMS, name="validationrule_list"),
    path("rules/add/", v.ValidationRuleEditView.as_view(), name="validationrule_add"),
    path("rules/<int:pk>/edit/", v.ValidationRuleEditView.as_view(), name="validationrule_edit"),
    path("indicators/", v.EvaluationIndicatorListView.as_view(), name="evaluationindicator_list"),
    path(
        "indicators/add/", v.EvaluationIndicatorEditView.as_view(), name="evaluationindicator_add"
    ),
    path("indicators/<int:pk>/", v.EvaluationIndicatorView.as_view(), name="evaluationindicator"),
    path(
        "indicators/<int:pk>/edit/",
        v.EvaluationIndicatorEditView.as_view(),
        name="evaluationindicator_edit",
    ),
    path(
        "indicators/<int:pk>/delete/",
        v.EvaluationIndicatorDeleteView.as_view(),
        name="evaluationindicator_delete",
    ),
]
