from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gongfang.registry"
    label = "registry"
    verbose_name = "基础台账"

    def ready(self) -> None:
        from . import naturalkeys, navigation, services  # noqa: F401  (registers the services)

        navigation.register()
        naturalkeys.register_all()
