"""Statistics reporting up four levels (统计报送): forms as data, periods, submissions, aggregation."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "gongfang.reporting"
    label = "reporting"
    verbose_name = "统计报送"

    def ready(self) -> None:
        from ..framework.seeding import reseed_when_empty
        from . import jobs, navigation

        reseed_when_empty(self, "reporting.ReportForm", _seed("seed_form"))
        reseed_when_empty(self, "reporting.EvaluationIndicator", _seed("seed_indicators"))
        navigation.register()
        jobs.register()


def _seed(name: str):
    """The seed function of the default-form migration, imported when it runs."""

    def seed(apps, schema_editor) -> None:
        from ..framework.seeding import migration_seed

        migration_seed("gongfang.reporting.migrations.0002_default_form", name)(apps, schema_editor)

    return seed
