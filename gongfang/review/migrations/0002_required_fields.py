"""The required fields of the acceptance rules (应填尽填), version 1.

Seed 000 (枣庄市): the review ran "对照省局数据验收标准 … 对照系统填写标准要求，做到数据应填尽填，
规范完整" over 机构编制信息、院落楼座信息、房间人员信息. The province's list itself is not public; the
rows below are the registry's fields those four groups name that the registry leaves optional
(a mandatory field can never be empty), each with its source. A bureau adds or ends rows later.
"""

from __future__ import annotations

import datetime

from django.db import migrations

VERSION = "2023版验收标准"
SOURCE = "种子000：枣庄市“对照省局数据验收标准 … 做到数据应填尽填”（{}）"
ON = datetime.date(2023, 1, 1)

ROWS = [
    # (model, field, label, condition, condition label, group named by seed 000)
    ("organization", "uscc", "统一社会信用代码", {"status": "active"}, "在用单位", "机构编制信息"),
    ("compound", "address", "地址", {}, "", "院落楼座信息"),
    ("compound", "land_area", "土地面积", {}, "", "院落楼座信息"),
    ("compound", "lng", "经度", {}, "", "院落楼座信息"),
    ("building", "year_built", "建成年份", {}, "", "院落楼座信息"),
    (
        "room",
        "building_area",
        "建筑面积",
        {"category": "office"},
        "办公室",
        "房间人员信息",
    ),
    ("person", "position", "职务", {"employment_status": "active"}, "在职人员", "房间人员信息"),
]


def seed(apps, schema_editor) -> None:
    RequiredField = apps.get_model("review", "RequiredField")
    using = schema_editor.connection.alias
    for model, field, label, condition, condition_label, group in ROWS:
        RequiredField.objects.using(using).get_or_create(
            model=model,
            field=field,
            version=VERSION,
            defaults={
                "label": label,
                "condition": condition,
                "condition_label": condition_label,
                "source": SOURCE.format(group),
                "effective_from": ON,
            },
        )


def unseed(apps, schema_editor) -> None:
    apps.get_model("review", "RequiredField").objects.filter(version=VERSION).delete()


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
