from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "gongfang.maintenance"
    label = "maintenance"
    verbose_name = "维修与物业经费"
