from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "gongfang.scheduler"
    label = "scheduler"
    verbose_name = "系统管理"

    def ready(self) -> None:
        # The service registers itself with the framework when its module loads.
        from . import services  # noqa: F401
