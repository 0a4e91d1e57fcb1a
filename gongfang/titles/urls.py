"""Pages of titles: ``titles:title_list`` … and the use certificates' list, page, issue
(``usecertificate_add``), revoke and PDF."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "titles"

urlpatterns = [
    path("property/", views.TitleListView.as_view(), name="title_list"),
    path("property/add/", views.TitleEditView.as_view(), name="title_add"),
    path("property/<int:pk>/", views.TitleView.as_view(), name="title"),
    path("property/<int:pk>/edit/", views.TitleEditView.as_view(), name="title_edit"),
    path("property/<int:pk>/delete/", views.TitleDeleteView.as_view(), name="title_delete"),
    path("certificates/", views.UseCertificateListView.as_view(), name="usecertificate_list"),
    path("certificates/issue/", views.UseCertificateIssueView.as_view(), name="usecertificate_add"),
    path("certificates/<int:pk>/", views.UseCertificateView.as_view(), name="usecertificate"),
    path(
        "certificates/<int:pk>/revoke/",
        views.UseCertificateRevokeView.as_view(),
        name="usecertificate_revoke",
    ),
    path(
        "certificates/<int:pk>/pdf/",
        views.UseCertificatePDFView.as_view(),
        name="usecertificate_pdf",
    ),
]
