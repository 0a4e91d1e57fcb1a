from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "gongfang.standards"
    label = "standards"
    verbose_name = "标准与参数"
