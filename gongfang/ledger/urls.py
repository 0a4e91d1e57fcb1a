"""Ledger pages under /ledger/."""

from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("upload/", views.UploadView.as_view(), name="upload"),
    path("export/", views.LedgerExportView.as_view(), name="export"),
    path("templates/<slug:key>.xlsx", views.TemplateDownloadView.as_view(), name="template"),
    path("batches/<int:pk>/", views.BatchView.as_view(), name="batch"),
    path("batches/<int:pk>/progress/", views.BatchProgressView.as_view(), name="batch_progress"),
    path("batches/<int:pk>/commit/", views.BatchCommitView.as_view(), name="batch_commit"),
    path("batches/<int:pk>/revert/", views.BatchRevertView.as_view(), name="batch_revert"),
    path("batches/<int:pk>/retry/", views.BatchRetryView.as_view(), name="batch_retry"),
    path("batches/<int:pk>/discard/", views.BatchDiscardView.as_view(), name="batch_discard"),
    path("batches/<int:pk>/file/", views.BatchFileView.as_view(), name="batch_file"),
    path("batches/<int:pk>/errors/", views.BatchErrorsView.as_view(), name="batch_errors"),
]
