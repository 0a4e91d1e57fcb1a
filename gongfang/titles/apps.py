from django.apps import AppConfig


class TitlesConfig(AppConfig):
    name = "gongfang.titles"
    label = "titles"
    verbose_name = "权属与使用权证"
