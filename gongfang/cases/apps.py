from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gongfang.cases"
    label = "cases"
    verbose_name = "审批事项"
