"""The national default process of every case kind (revision 1). A province or city revises
them into its own revisions (pages or ``revise_definition``); these stay for everyone else."""

import datetime

from django.db import migrations

from gongfang.workflow.seeding import create_national

REVIEW = ["approve", "return", "reject"]
BUREAU = ("机关事务管理局审核", ["region_bureau"], REVIEW, 5, False)
LEADER = ("领导签批", ["region_leader"], REVIEW, 5, True)
SOURCE = "《党政机关办公用房管理办法》"

# kind: (name, prefix, steps)
DEFINITIONS = {
    "allocation": ("办公用房调配审批", "机管调", [BUREAU, LEADER]),
    "vacate": ("办公用房腾退审批", "机管腾", [BUREAU, LEADER]),
    "lend": ("办公用房出借（借用）审批", "机管借", [BUREAU, LEADER]),
    "lease_in": (
        "租用办公用房备案",
        "机管租",
        [("机关事务管理局备案审核", ["region_bureau"], REVIEW, 10, False)],
    ),
    "lease_out": ("办公用房出租审批", "机管出", [BUREAU, LEADER]),
    "disposal": (
        "办公用房处置审批",
        "机管处",
        [
            (
                "主管部门与机关事务管理局会签",
                ["supervising_admin", "region_bureau"],
                REVIEW,
                10,
                False,
            ),
            LEADER,
        ],
    ),
    "change_of_use": ("办公用房用途变更审批", "机管变", [BUREAU, LEADER]),
    "title_filing": (
        "权属登记备案",
        "机管权",
        [("机关事务管理局备案审核", ["region_bureau"], REVIEW, 10, False)],
    ),
    "warning_waiver": (
        "超标预警暂不整改 / 备案审批",
        "机管缓",
        [("领导签批", ["region_leader"], REVIEW, 5, True)],
    ),
    "construction": (
        "办公用房新建、购置、装修审批",
        "机管建",
        [
            BUREAU,
            LEADER,
            ("上级机关事务管理局审核", ["upper_bureau"], REVIEW, 10, False),
        ],
    ),
}


def create(apps, schema_editor):
    create_national(apps, DEFINITIONS, source=SOURCE, effective_from=datetime.date(2020, 1, 1))


def remove(apps, schema_editor):
    ProcessDefinition = apps.get_model("workflow", "ProcessDefinition")
    Case = apps.get_model("workflow", "Case")
    national = ProcessDefinition.objects.filter(region__isnull=True, revision=1)
    national.exclude(pk__in=Case.objects.values("definition_id")).delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
