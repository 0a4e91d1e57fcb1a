from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "gongfang.compliance"
    label = "compliance"
    verbose_name = "超标预警"

    def ready(self) -> None:
        from ..framework.signals import object_written
        from . import navigation
        from .receivers import on_object_written

        navigation.register()
        object_written.connect(on_object_written, dispatch_uid="compliance_recheck")
