from django.apps import AppConfig


class TitlesConfig(AppConfig):
    name = "gongfang.titles"
    label = "titles"
    verbose_name = "权属与使用权证"

    def ready(self) -> None:
        from ..framework.changelog import register_event_labels
        from ..framework.eventdata import register_event_data
        from ..framework.signals import object_written
        from ..workflow.kinds import register_kind
        from . import jobs, navigation, services  # noqa: F401  (registers the services)
        from .kinds import TitleFilingKind
        from .receivers import on_object_written

        navigation.register()
        jobs.register()
        register_event_labels(
            {
                "usecertificate.issue": "签发使用权证",
                "usecertificate.revoke": "注销使用权证",
                "usecertificate.auto_revoke": "使用权证自动注销",
                "usecertificate.pdf": "打印使用权证",
            }
        )
        register_event_data(
            keys={"holder_name": "使用单位", "room_labels": "证内房间", "area_total": "面积合计"}
        )
        register_kind(TitleFilingKind())
        object_written.connect(on_object_written, dispatch_uid="titles_revoke_on_room_move")
