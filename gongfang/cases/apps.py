from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gongfang.cases"
    label = "cases"
    verbose_name = "审批事项"

    def ready(self) -> None:
        from ..compliance.hooks import register_approved_use_provider, register_waiver_handler
        from . import jobs, navigation
        from .hooks import approved_room_uses, request_waiver
        from .kinds import register_all

        register_all()
        register_approved_use_provider(approved_room_uses)
        register_waiver_handler(request_waiver)
        jobs.register()
        navigation.register()
