from django.apps import AppConfig


class VehiclesConfig(AppConfig):
    name = "gongfang.vehicles"
    label = "vehicles"
    verbose_name = "公务用车"
