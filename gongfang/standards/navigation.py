"""The 标准与参数 menu group: versions, the combined standard of a place, and each kind of row."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

STANDARDS_MENU = MenuGroup(
    "标准与参数",
    items=(
        MenuItem("标准版本", "standards.StandardVersion", "standards:standardversion_list"),
        MenuItem("适用标准查询", "standards.StandardVersion", "standards:effective"),
        MenuItem("办公室面积标准", "standards.OfficeLimit", "standards:officelimit_list"),
        MenuItem("职级对照", "standards.GradeEquivalence", "standards:gradeequivalence_list"),
        MenuItem("服务用房指标", "standards.ServiceAllowance", "standards:serviceallowance_list"),
        MenuItem("规则参数", "standards.RuleParameter", "standards:ruleparameter_list"),
        MenuItem("条款说明", "standards.Clause", "standards:clause_list"),
        MenuItem("节假日安排", "framework.HolidayYear", "framework:holidayyear_list"),
    ),
)


def register() -> None:
    if STANDARDS_MENU not in MENU:
        register_menu(STANDARDS_MENU)
