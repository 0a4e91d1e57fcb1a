"""Supervision of vehicle use: anomaly rules V1-V7 on trips and their findings (违规使用线索)."""

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "gongfang.supervision"
    label = "supervision"
    verbose_name = "用车监督"
