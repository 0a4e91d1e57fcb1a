"""The national default processes of the maintenance case kinds (revision 1): a project's
立项 is reviewed by the bureau and signed by its leader (Guangxi's 大中型维修项目管理规范); the
three-year plan, compiled by the bureau, is signed by the leader (seed 002)."""

import datetime

from django.db import migrations

from gongfang.workflow.seeding import create_national

REVIEW = ["approve", "return", "reject"]
SOURCE = "《党政机关办公用房管理办法》第五章；广西《党政机关办公用房大中型维修项目管理规范》"

# kind: (name, number prefix, [(step, actors, actions, working days, e-signature)])
DEFINITIONS = {
    "maintenance_project": (
        "办公用房维修项目立项审批",
        "机管修",
        [
            ("机关事务管理局审核", ["region_bureau"], REVIEW, 10, False),
            ("领导签批", ["region_leader"], REVIEW, 5, True),
        ],
    ),
    "maintenance_plan": (
        "办公用房三年维修规划审批",
        "机管规",
        [("领导签批", ["region_leader"], REVIEW, 10, True)],
    ),
}


def create(apps, schema_editor):
    create_national(apps, DEFINITIONS, source=SOURCE, effective_from=datetime.date(2020, 1, 1))


def remove(apps, schema_editor):
    ProcessDefinition = apps.get_model("workflow", "ProcessDefinition")
    Case = apps.get_model("workflow", "Case")
    ProcessDefinition.objects.filter(kind__in=list(DEFINITIONS), region__isnull=True).exclude(
        pk__in=Case.objects.values("definition_id")
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("maintenance", "0001_projects_plans_contracts_budgets"),
        ("workflow", "0003_more_case_kinds"),
    ]

    operations = [migrations.RunPython(create, remove)]
