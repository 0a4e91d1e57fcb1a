"""Pages of supervision (``/supervision/…``)."""

app_name = "supervision"

urlpatterns: list = []
