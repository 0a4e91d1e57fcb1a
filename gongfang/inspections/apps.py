import importlib.util

from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "gongfang.inspections"
    label = "inspections"
    verbose_name = "督查整改"

    def ready(self) -> None:
        from ..archives.subjects import register_subject
        from ..framework.eventdata import register_event_data
        from ..framework.seeding import migration_seed, reseed_when_empty
        from . import navigation, services
        from .choices import InspectionState, PlanState, TipState
        from .models import Inspection

        navigation.register()
        reseed_when_empty(
            self,
            "inspections.Checklist",
            migration_seed("gongfang.inspections.migrations.0002_national_checklist"),
        )
        register_event_data(
            keys={
                "source": "来源",
                "usable_area_before": "原使用面积",
                "usable_area_after": "新使用面积",
                "measurement": "测量编号",
                "inspection": "督查检查",
                "action": "办理操作",
                "count": "数量",
            },
            values={
                event: {"from": dict(states.choices), "to": dict(states.choices)}
                for event, states in (
                    ("inspection.transition", InspectionState),
                    ("inspectionplan.transition", PlanState),
                    ("tip.transition", TipState),
                )
            },
        )
        # Photos taken on site are filed on the inspection; the team writes them.
        register_subject(
            Inspection,
            region=lambda inspection: inspection.region,
            restrict_write=services.inspections_writable,
        )
        # H7's findings, rectification, urge, referral and reports, once that module is in.
        if importlib.util.find_spec(f"{self.name}.findings_setup") is not None:
            from . import findings_setup

            findings_setup.ready()
