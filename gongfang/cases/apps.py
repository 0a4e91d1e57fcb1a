from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gongfang.cases"
    label = "cases"
    verbose_name = "审批事项"

    def ready(self) -> None:
        from ..compliance.hooks import register_approved_use_provider, register_waiver_handler
        from ..framework.objectactions import register_object_actions
        from . import exports, jobs, navigation
        from .hooks import approved_room_uses, request_waiver, room_use_actions
        from .kinds import register_all

        register_all()
        register_approved_use_provider(approved_room_uses)
        register_waiver_handler(request_waiver)
        jobs.register()
        navigation.register()
        exports.register()
        register_object_actions(room_use_actions)
