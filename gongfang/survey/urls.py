"""Pages of survey (``/survey/…``)."""

app_name = "survey"

urlpatterns: list = []
