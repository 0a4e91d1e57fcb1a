from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "gongfang.archives"
    label = "archives"
    verbose_name = "档案资料"
