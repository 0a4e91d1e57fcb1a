"""Pages of terminals (``/terminals/…``)."""

app_name = "terminals"

urlpatterns: list = []
