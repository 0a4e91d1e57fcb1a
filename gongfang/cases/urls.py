"""Pages of the cases' records: ``cases:approveduse_list`` … and ``cases:constructionproject``."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("uses/", views.ApprovedUseListView.as_view(), name="approveduse_list"),
    path("uses/<int:pk>/", views.ApprovedUseView.as_view(), name="approveduse"),
    path("projects/", views.ConstructionProjectListView.as_view(), name="constructionproject_list"),
    path("projects/<int:pk>/", views.ConstructionProjectView.as_view(), name="constructionproject"),
]
