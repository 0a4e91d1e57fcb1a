from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "gongfang.ledger"
    label = "ledger"
    verbose_name = "台账导入导出"

    def ready(self) -> None:
        from ..framework.changelog import register_event_labels
        from . import navigation, views

        navigation.register()
        views.register_list_exports()
        register_event_labels(
            {
                "ledger.import": "导入台账",
                "ledger.revert": "撤销导入",
                "ledger.export": "导出台账",
            }
        )
