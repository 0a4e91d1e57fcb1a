"""Vehicle terminals: the JT/T 808 gateway, positions and trips."""

from django.apps import AppConfig


class TerminalsConfig(AppConfig):
    name = "gongfang.terminals"
    label = "terminals"
    verbose_name = "车载终端"

    def ready(self) -> None:
        from . import jobs, navigation, services  # noqa: F401  (registers the service)

        navigation.register()
        jobs.register()
