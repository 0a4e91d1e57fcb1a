"""Pages of archives: documents (``archives:document_list`` …, the upload page, the scoped file
``archives:document_file``) and their categories."""

from __future__ import annotations

from django.urls import path

from . import dossier_views, search_views, views

app_name = "archives"

urlpatterns = [
    path("documents/", views.DocumentListView.as_view(), name="document_list"),
    path("documents/upload/", views.DocumentUploadView.as_view(), name="document_add"),
    path("documents/<int:pk>/", views.DocumentView.as_view(), name="document"),
    path("documents/<int:pk>/file/", views.DocumentFileView.as_view(), name="document_file"),
    path("documents/<int:pk>/edit/", views.DocumentEditView.as_view(), name="document_edit"),
    path("documents/<int:pk>/delete/", views.DocumentDeleteView.as_view(), name="document_delete"),
    path("categories/", views.DocumentCategoryListView.as_view(), name="documentcategory_list"),
    path("categories/add/", views.DocumentCategoryEditView.as_view(), name="documentcategory_add"),
    path("categories/<int:pk>/", views.DocumentCategoryView.as_view(), name="documentcategory"),
    path(
        "categories/<int:pk>/edit/",
        views.DocumentCategoryEditView.as_view(),
        name="documentcategory_edit",
    ),
    path(
        "categories/<int:pk>/delete/",
        views.DocumentCategoryDeleteView.as_view(),
        name="documentcategory_delete",
    ),
]

# Full-text search and the dossier (H2's modules).
urlpatterns += search_views.urlpatterns + dossier_views.urlpatterns
