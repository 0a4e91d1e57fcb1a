"""Official vehicles (公务用车): registry, standards, quotas, vehicle cases, dispatch and running costs."""

from django.apps import AppConfig


class VehiclesConfig(AppConfig):
    name = "gongfang.vehicles"
    label = "vehicles"
    verbose_name = "公务用车"

    def ready(self) -> None:
        from ..framework.seeding import migration_seed, reseed_when_empty
        from ..workflow.seeding import reseed_definitions
        from . import exports, jobs, kinds, navigation, services  # noqa: F401  (registers the services)

        navigation.register()
        jobs.register()
        exports.register()
        register_archive_subject()
        kinds.register()
        reseed_definitions(self, "gongfang.vehicles.migrations.0002_vehicle_case_definitions")
        reseed_when_empty(
            self,
            "vehicles.VehicleStandard",
            migration_seed("gongfang.vehicles.migrations.0003_seed_national_2017"),
        )


def register_archive_subject() -> None:
    """Vehicles carry documents: purchase papers, 行驶证, photos, disposal records."""
    from ..archives.subjects import register_subject
    from .models import Vehicle

    register_subject(Vehicle, region=lambda vehicle: vehicle.region)
