"""Exchange between deployments: signed report packages sent up and returns sent back."""

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "gongfang.exchange"
    label = "exchange"
    verbose_name = "数据交换"

    def ready(self) -> None:
        from ..framework.changelog import register_event_labels
        from . import navigation

        navigation.register()
        register_event_labels(
            {
                "exchange.receive": "接收交换包",
                "exchange.refuse": "拒收交换包",
                "exchange.send": "制作报送包",
                "exchange.return": "退回并制作退回包",
                "exchange.return_received": "收到上级退回包",
                "exchange.key_register": "登记交换密钥",
                "exchange.key_revoke": "停用交换密钥",
            }
        )
