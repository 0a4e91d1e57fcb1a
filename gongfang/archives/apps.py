"""Documents on any object (一房一档): categories, versions, scoped files, full-text search and the one-click dossier."""

from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "gongfang.archives"
    label = "archives"
    verbose_name = "档案资料"

    def ready(self) -> None:
        from ..framework.changelog import register_event_labels
        from ..framework.eventdata import register_event_data
        from ..framework.seeding import migration_seed, reseed_when_empty
        from . import navigation, services  # noqa: F401  (registers the services)

        register_subjects()
        navigation.register()
        register_event_labels({"document.open": "打开档案资料文件"})
        register_event_data(keys={"original_name": "原文件名"})
        # Full-text search and the dossier (H2).
        from . import dossier, search

        search.register()
        dossier.register()
        reseed_when_empty(
            self,
            "archives.DocumentCategory",
            migration_seed("gongfang.archives.migrations.0001_initial"),
        )


def register_subjects() -> None:
    """The registry's objects, titles and cases carry documents (apps above register theirs)."""
    from ..registry.models import Building, Compound, Floor, Organization, Person, Region, Room
    from ..titles.models import Title
    from ..workflow.models import Case
    from .subjects import register_subject

    register_subject(Region, region=lambda region: region)
    register_subject(Organization, region=lambda organization: organization.region)
    register_subject(Compound, region=lambda compound: compound.region)
    register_subject(Building, region=lambda building: building.compound.region)
    register_subject(Floor, region=lambda floor: floor.building.compound.region)
    register_subject(Room, region=lambda room: room.floor.building.compound.region)
    register_subject(Person, region=lambda person: person.organization.region)
    register_subject(Title, region=lambda title: title.region)
    register_subject(Case, region=lambda case: case.region)
