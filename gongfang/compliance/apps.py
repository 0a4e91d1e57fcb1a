from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "gongfang.compliance"
    label = "compliance"
    verbose_name = "超标预警"
