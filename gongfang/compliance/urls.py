"""Pages of the warning centre: ``compliance:warning_list`` (with its counts), ``warning``
(one warning, its history and the transitions the account may take), ``warning_export`` (CSV
of the filtered list) and ``warning_transition`` (the forms' target)."""

from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("", views.WarningListView.as_view(), name="warning_list"),
    path("export/", views.WarningExportView.as_view(), name="warning_export"),
    path("<int:pk>/", views.WarningView.as_view(), name="warning"),
    path(
        "<int:pk>/transition/<str:action>/",
        views.WarningTransitionView.as_view(),
        name="warning_transition",
    ),
]
