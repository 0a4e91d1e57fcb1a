"""The national default processes of the vehicle cases (revision 1): purchase (配备), renewal
(更新) and disposal (处置) are reviewed by the bureau of the applicant's region and signed by its
leader, as 《党政机关公务用车管理办法》 (2017) has the 机关事务管理部门 approve them. A province
revises them into its own revisions (e.g. Guangxi's 审批工作指引)."""

import datetime

from django.db import migrations

from gongfang.workflow.seeding import create_national

REVIEW = ["approve", "return", "reject"]
BUREAU = ("机关事务管理局审核", ["region_bureau"], REVIEW, 5, False)
LEADER = ("领导签批", ["region_leader"], REVIEW, 5, True)
SOURCE = "《党政机关公务用车管理办法》（2017）"

# kind: (name, prefix, steps)
DEFINITIONS = {
    "vehicle_purchase": ("公务用车配备审批", "机管车配", [BUREAU, LEADER]),
    "vehicle_renewal": ("公务用车更新审批", "机管车更", [BUREAU, LEADER]),
    "vehicle_disposal": ("公务用车处置审批", "机管车处", [BUREAU, LEADER]),
}


def create(apps, schema_editor):
    create_national(apps, DEFINITIONS, source=SOURCE, effective_from=datetime.date(2017, 12, 5))


def remove(apps, schema_editor):
    ProcessDefinition = apps.get_model("workflow", "ProcessDefinition")
    Case = apps.get_model("workflow", "Case")
    national = ProcessDefinition.objects.filter(
        kind__in=list(DEFINITIONS), region__isnull=True, revision=1
    )
    national.exclude(pk__in=Case.objects.values("definition_id")).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("vehicles", "0001_fleet_standards_costs_dispatch"),
        ("workflow", "0003_more_case_kinds"),
    ]

    operations = [migrations.RunPython(create, remove)]
