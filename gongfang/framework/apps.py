from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "gongfang.framework"
    label = "framework"
    verbose_name = "基础框架"
