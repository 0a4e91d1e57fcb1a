"""The audit log (审计管理员): list, one entry, CSV export — nothing that edits or deletes."""

from django.urls import path

from .views.changelog import ObjectChangeExportView, ObjectChangeListView, ObjectChangeView
from .views.checkpoints import CheckpointListView

app_name = "framework"

urlpatterns = [
    path("", ObjectChangeListView.as_view(), name="objectchange_list"),
    path("checkpoints/", CheckpointListView.as_view(), name="checkpoints"),
    path("export/", ObjectChangeExportView.as_view(), name="objectchange_export"),
    path("<int:pk>/", ObjectChangeView.as_view(), name="objectchange"),
]
