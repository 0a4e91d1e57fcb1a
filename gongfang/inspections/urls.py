"""Pages of inspections."""

from __future__ import annotations

app_name = "inspections"

urlpatterns: list = []
