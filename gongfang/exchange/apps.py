"""Exchange between deployments: signed report packages sent up and returns sent back."""

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "gongfang.exchange"
    label = "exchange"
    verbose_name = "数据交换"
