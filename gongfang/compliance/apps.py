from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "gongfang.compliance"
    label = "compliance"
    verbose_name = "超标预警"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from ..framework.changelog import register_event_labels
        from ..framework.signals import object_written
        from ..registry.models import Person, Room
        from . import jobs, navigation
        from .receivers import on_object_written, on_pre_delete

        navigation.register()
        register_event_labels(
            {
                "warning.open": "发现超标预警",
                "warning.resolve": "预警自动解除",
                "warning.reopen": "预警重新出现",
                "warning.transition": "预警处理",
                "warning.export": "导出预警",
                "warning.overdue": "整改逾期",
            }
        )
        jobs.register()
        object_written.connect(on_object_written, dispatch_uid="compliance_recheck")
        # Only these two: a listener on every model would end Django's fast deletes everywhere.
        for model in (Person, Room):
            pre_delete.connect(
                on_pre_delete, sender=model, dispatch_uid=f"compliance_pre_delete_{model.__name__}"
            )
