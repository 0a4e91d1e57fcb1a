"""Pages of archives."""

from __future__ import annotations

from . import search_views

app_name = "archives"

urlpatterns: list = []

# Full-text search and the dossier (H2's modules).
urlpatterns += search_views.urlpatterns
