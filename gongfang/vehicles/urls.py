"""Pages of vehicles."""

from __future__ import annotations

app_name = "vehicles"

urlpatterns: list = []
