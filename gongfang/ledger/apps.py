from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_tables(using: str = "default", **kwargs) -> None:
    """post_migrate: the database cache's table (rate limits shared by every node) exists after
    every migrate, whichever cache settings are in force; nothing to do with Redis."""
    call_command("createcachetable", database=using, verbosity=0)


class LedgerConfig(AppConfig):
    name = "gongfang.ledger"
    label = "ledger"
    verbose_name = "台账导入导出"

    def ready(self) -> None:
        from ..framework.changelog import register_event_labels
        from . import jobs, navigation, views

        navigation.register()
        jobs.register()
        views.register_list_exports()
        register_event_labels(
            {
                "ledger.import": "导入台账",
                "ledger.revert": "撤销导入",
                "ledger.export": "导出台账",
                "ledger.reclaim": "回收中断的导入批次",
                "ledger.retry": "重试导入批次",
                "ledger.discard": "放弃导入批次",
            }
        )
        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="ledger_cache_tables")
