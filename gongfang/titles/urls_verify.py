"""The public verification page a certificate's QR code opens (no login)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "verify"

urlpatterns = [
    path(
        "certificate/<str:token>/",
        views.VerifyCertificateView.as_view(),
        name="certificate",
    ),
]
