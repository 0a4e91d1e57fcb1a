"""Survey batches (测绘), drawings in (DXF/IFC), reconciliation with the registry and three-party confirmation (三方确认)."""

from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "gongfang.survey"
    label = "survey"
    verbose_name = "测绘与三方确认"
