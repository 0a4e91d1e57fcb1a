"""Seed the national stage gates: the papers each stage of a maintenance project requires
(Guangxi's 《党政机关办公用房大中型维修项目管理规范》, the table ``gates`` held in code before)."""

import datetime

from django.db import migrations

SOURCE = "广西《党政机关办公用房大中型维修项目管理规范》"
EFFECTIVE_FROM = datetime.date(2019, 1, 1)
# (stage entered, project kind, archives category code, how many, what it is)
ROWS = [
    ("submit", "major", "maintenance", 1, "维修方案及概算"),
    ("in_progress", "major", "contract", 1, "施工合同"),
    ("in_progress", "major", "construction", 1, "施工图设计及招标文件"),
    ("in_progress", "minor", "contract", 1, "施工合同（或维修协议）"),
    ("accepted", "major", "photo", 2, "施工前后照片"),
    ("accepted", "minor", "photo", 1, "施工前后照片"),
    ("archived", "major", "maintenance", 2, "维修方案及竣工验收资料"),
    ("archived", "minor", "maintenance", 1, "竣工验收资料"),
]


def seed(apps, schema_editor):
    Requirement = apps.get_model("maintenance", "StageRequirement")
    Requirement.objects.using(schema_editor.connection.alias).bulk_create(
        [
            Requirement(
                kind="national",
                region=None,
                stage=stage,
                project_kind=kind,
                category=category,
                count=count,
                label=label,
                source=SOURCE,
                effective_from=EFFECTIVE_FROM,
            )
            for stage, kind, category, count, label in ROWS
        ],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    Requirement = apps.get_model("maintenance", "StageRequirement")
    Requirement.objects.using(schema_editor.connection.alias).filter(kind="national").delete()


class Migration(migrations.Migration):
    dependencies = [("maintenance", "0003_stage_requirements")]

    operations = [migrations.RunPython(seed, unseed)]
