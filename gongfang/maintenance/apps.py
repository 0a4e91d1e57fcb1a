from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "gongfang.maintenance"
    label = "maintenance"
    verbose_name = "维修与物业经费"

    def ready(self) -> None:
        from ..archives.dossier import register_section
        from ..framework.seeding import migration_seed, reseed_when_empty
        from ..workflow.kinds import register_kind
        from ..workflow.seeding import reseed_definitions
        from . import exports, navigation, services  # noqa: F401  (registers the services)
        from .kinds import MAINTENANCE_PLAN, MAINTENANCE_PROJECT
        from .selectors import dossier_section

        navigation.register()
        exports.register()
        register_kind(MAINTENANCE_PROJECT)
        register_kind(MAINTENANCE_PLAN)
        register_subjects()
        register_section(dossier_section)
        reseed_definitions(
            self, "gongfang.maintenance.migrations.0002_national_process_definitions"
        )
        reseed_when_empty(
            self,
            "maintenance.StageRequirement",
            migration_seed("gongfang.maintenance.migrations.0004_seed_stage_requirements"),
        )


def register_subjects() -> None:
    """Projects (their stage papers), plans, proposals and service contracts carry documents."""
    from ..archives.subjects import register_subject
    from .models import MaintenanceProject, PlanProposal, ServiceContract, ThreeYearPlan

    register_subject(MaintenanceProject, region=lambda project: project.region)
    register_subject(ThreeYearPlan, region=lambda plan: plan.region)
    register_subject(PlanProposal, region=lambda proposal: proposal.plan.region)
    register_subject(ServiceContract, region=lambda contract: contract.region)
