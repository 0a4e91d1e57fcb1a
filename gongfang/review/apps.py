"""Data review (数据会审): rule and reviewer findings over a scope, cross review, rectification to closure."""

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "gongfang.review"
    label = "review"
    verbose_name = "数据会审"

    def ready(self) -> None:
        from ..framework.changelog import register_event_labels
        from ..framework.eventdata import register_event_data
        from ..framework.seeding import migration_seed, reseed_when_empty
        from . import navigation
        from .models import FindingState
        from .services import EVENT_LABELS

        navigation.register()
        register_event_labels(EVENT_LABELS)
        register_event_data(
            keys={"new": "新发现问题", "updated": "更新问题", "state": "状态"},
            values={event: {"state": dict(FindingState.choices)} for event in EVENT_LABELS},
        )
        reseed_when_empty(
            self,
            "review.RequiredField",
            migration_seed("gongfang.review.migrations.0002_required_fields"),
        )
