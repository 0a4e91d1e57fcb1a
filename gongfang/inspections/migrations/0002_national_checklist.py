"""The national checklist, revision 1: seven aspects for organizations, four for leaders.

Seed 001 (常州市机关事务管理局, 国管局网站 2019-07-29) names the two levels and some aspects
verbatim: "一是党政机关，重点查擅自变更或不配合权属登记、机构撤并后未在规定时间内腾退原办公用房等
七个方面；二是领导干部，重点查超规定面积标准配备和使用办公用房、在多部门兼职未经批准占用使用多处
办公用房、已办理退休手续未在规定时间内腾退办公用房等四个方面". The aspects it leaves under "等" are
worded from the design (lending, leasing or changing use without approval; building or
decorating beyond standards), the 党政机关办公用房管理办法 and seed 003 (云和县: "信息统计瞒报、
漏报"); each item's ``source`` says which. ``rules`` names the rules (compliance R1–R9) that
already detect the aspect; an aspect no rule detects has none.
"""

from __future__ import annotations

import datetime

from django.db import migrations

SEED_001 = "种子001：常州市机关事务管理局，国管局网站 2019-07-29（原文列举）"
SEED_003 = "种子003：云和县机关事务保障中心 2022-12-02（“信息统计瞒报、漏报”）"
SUPPLEMENTED = "据《党政机关办公用房管理办法》补充（种子001以“等”概括）"

ITEMS = [
    # (target, aspect, title, description, rules, source)
    (
        "organization",
        1,
        "擅自变更或不配合权属登记",
        "核对院落、楼座的权属登记与备案情况；是否擅自变更权属或拒不配合办理登记、划转。",
        [],
        SEED_001,
    ),
    (
        "organization",
        2,
        "机构撤并后未在规定时间内腾退原办公用房",
        "机构撤销、合并后，原单位是否仍占用办公用房，是否按期交回。",
        ["R7"],
        SEED_001,
    ),
    (
        "organization",
        3,
        "未经批准出租、出借办公用房或改变使用功能",
        "是否存在未经审批的出租、出借、调换办公用房，或将办公用房改作他用。",
        ["R8"],
        SUPPLEMENTED,
    ),
    (
        "organization",
        4,
        "超出核定面积配备、使用办公用房",
        "单位办公室和服务用房使用面积是否超出核定总面积。",
        ["R6"],
        SUPPLEMENTED,
    ),
    (
        "organization",
        5,
        "办公用房闲置未按规定交回统筹调剂",
        "是否存在长期闲置、未报告或未交回统一调剂的办公用房。",
        ["R5"],
        SUPPLEMENTED,
    ),
    (
        "organization",
        6,
        "违规新建、扩建、购置或超标准装修办公用房",
        "维修改造项目是否经批准立项，装修是否超出标准；是否以维修名义改扩建。",
        [],
        SUPPLEMENTED,
    ),
    (
        "organization",
        7,
        "办公用房信息统计瞒报、漏报",
        "台账与实地是否一致：房间、面积、使用人等信息有无瞒报、漏报、错报。",
        ["R9"],
        SEED_003,
    ),
    (
        "leader",
        1,
        "超规定面积标准配备和使用办公用房",
        "领导干部办公室使用面积是否超出其职级对应标准（一间不超）。",
        ["R1"],
        SEED_001,
    ),
    (
        "leader",
        2,
        "在多部门兼职未经批准占用使用多处办公用房",
        "是否占用两处以上办公室；兼职办公室是否经批准，兼职结束后是否腾退。",
        ["R2", "R4"],
        SEED_001,
    ),
    (
        "leader",
        3,
        "已办理退休手续未在规定时间内腾退办公用房",
        "退休人员是否在规定时间内腾退原办公室。",
        ["R3"],
        SEED_001,
    ),
    (
        "leader",
        4,
        "工作调动后未在规定时间内腾退原办公用房",
        "调离原单位的领导干部是否按时腾退原单位办公室。",
        ["R3"],
        SUPPLEMENTED,
    ),
]


def seed(apps, schema_editor) -> None:
    Checklist = apps.get_model("inspections", "Checklist")
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    checklist = Checklist.objects.create(
        revision=1,
        effective_from=datetime.date(2019, 7, 29),
        source="《党政机关办公用房管理办法》；常州市党政机关办公用房督查内容（七个方面、四个方面）",
        note="首版：党政机关七个方面、领导干部四个方面。",
    )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            checklist=checklist,
            target=target,
            aspect=aspect,
            title=title,
            description=description,
            rules=rules,
            source=source,
        )
        for target, aspect, title, description, rules, source in ITEMS
    )


def unseed(apps, schema_editor) -> None:
    Checklist = apps.get_model("inspections", "Checklist")
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    ChecklistItem.objects.filter(checklist__revision=1).delete()
    Checklist.objects.filter(revision=1).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
