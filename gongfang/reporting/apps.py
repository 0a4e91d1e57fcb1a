"""Statistics reporting up four levels (统计报送): forms as data, periods, submissions, aggregation."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "gongfang.reporting"
    label = "reporting"
    verbose_name = "统计报送"
