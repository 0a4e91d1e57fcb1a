"""Supervision of vehicle use: anomaly rules V1-V7 on trips and their findings (违规使用线索)."""

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "gongfang.supervision"
    label = "supervision"
    verbose_name = "用车监督"

    def ready(self) -> None:
        from ..framework.seeding import migration_seed, reseed_when_empty
        from . import setup

        setup.ready()
        reseed_when_empty(
            self,
            "supervision.RuleVersion",
            migration_seed("gongfang.supervision.migrations.0002_seed_rules"),
        )
