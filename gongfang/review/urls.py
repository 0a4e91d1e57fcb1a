"""Pages of review (``/review/…``)."""

app_name = "review"

urlpatterns: list = []
