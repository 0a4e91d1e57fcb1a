"""Survey batches (测绘), drawings in (DXF/IFC), reconciliation with the registry and three-party confirmation (三方确认)."""

from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "gongfang.survey"
    label = "survey"
    verbose_name = "测绘与三方确认"

    def ready(self) -> None:
        from ..framework.changelog import register_event_labels
        from ..workflow.todo import register_todo_panel
        from . import services
        from .navigation import register, todo_panels

        register_event_labels(services.EVENT_LABELS)
        register()
        register_todo_panel(todo_panels)
