"""The national default versions of rules V1–V7 (written by migration 0002, again after a flush)."""

from __future__ import annotations

import datetime

from .rules import DEFAULTS

SOURCES = {
    "V1": "《党政机关公务用车管理办法》（2017）：公务用车实行集中管理、统一调度，严禁公车私用；"
    "节假日以国务院办公厅当年节假日安排通知为准（含调休上班日）",
    "V2": "《党政机关公务用车管理办法》（2017）：公务出行须经审批；区域范围由机关事务管理局按区划设定",
    "V3": "公务用车监管平台默认值：22:00 至次日 06:00 为非工作时间",
    "V4": "《党政机关公务用车管理办法》（2017）：公务用车实行派车单制度；默认容差 15 分钟",
    "V5": "《党政机关公务用车管理办法》（2017）：公务用车实行定点停放；默认半径 200 米",
    "V6": "公务用车运行费用管理：单车核算、油耗定额；默认超出定额 30% 为异常",
    "V7": "北斗车载终端须保持在线：行驶中断点或 24 小时未上报为异常",
}


def seed(apps, schema_editor) -> None:
    RuleVersion = apps.get_model("supervision", "RuleVersion")
    using = schema_editor.connection.alias
    RuleVersion.objects.using(using).bulk_create(
        RuleVersion(
            rule=rule,
            kind="national",
            region=None,
            number=1,
            enabled=True,
            parameters=params,
            source=SOURCES[rule],
            effective_from=datetime.date(2017, 12, 1),
            notes="系统默认参数",
        )
        for rule, params in DEFAULTS.items()
    )
