"""Pages of archives."""

from __future__ import annotations

app_name = "archives"

urlpatterns: list = []
