from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "gongfang.inspections"
    label = "inspections"
    verbose_name = "督查整改"
