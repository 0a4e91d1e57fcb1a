from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo builder (``manage.py load_demo``): the top app, it may read every other one.

    Each installed app contributes its part through a ``demo_part`` module (see
    :mod:`gongfang.demo.parts`); this app's own part is the cases and approvals.
    """

    name = "gongfang.demo"
    label = "demo"
    verbose_name = "演示数据"
