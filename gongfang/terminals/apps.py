"""Vehicle terminals: the JT/T 808 gateway, positions and trips."""

from django.apps import AppConfig


class TerminalsConfig(AppConfig):
    name = "gongfang.terminals"
    label = "terminals"
    verbose_name = "车载终端"
