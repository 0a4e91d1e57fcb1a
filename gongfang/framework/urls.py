"""The global change log (审计管理员): list and detail, nothing else."""

from django.urls import path

from .views.changelog import ObjectChangeListView, ObjectChangeView

app_name = "framework"

urlpatterns = [
    path("", ObjectChangeListView.as_view(), name="objectchange_list"),
    path("<int:pk>/", ObjectChangeView.as_view(), name="objectchange"),
]
