"""Pages of exchange (``/exchange/…``)."""

app_name = "exchange"

urlpatterns: list = []
