from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StandardsConfig(AppConfig):
    name = "gongfang.standards"
    label = "standards"
    verbose_name = "标准与参数"

    def ready(self) -> None:
        from ..registry import plausibility as registry_plausibility
        from . import navigation, services  # noqa: F401  (registers the object services)
        from .plausibility import area_ceilings
        from .seed import seed_after_migrate

        navigation.register()
        registry_plausibility.provide(area_ceilings)
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="standards_seed")
