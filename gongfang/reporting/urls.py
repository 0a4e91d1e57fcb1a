"""Pages of reporting (``/reporting/…``)."""

app_name = "reporting"

urlpatterns: list = []
