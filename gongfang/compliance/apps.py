from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "gongfang.compliance"
    label = "compliance"
    verbose_name = "超标预警"

    def ready(self) -> None:
        from ..framework.changelog import register_event_labels
        from ..framework.signals import object_written
        from . import jobs, navigation
        from .receivers import on_object_written

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
