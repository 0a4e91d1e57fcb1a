"""The 统计报送 menu group and the to-do card of periods waiting for the account."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

REPORTING_MENU = MenuGroup(
    "统计报送",
    items=(
        MenuItem("报送任务", "reporting.ReportPeriod", "reporting:reportperiod_list"),
        MenuItem("统计报表", "reporting.ReportForm", "reporting:reportform_list"),
        MenuItem("考评指标", "reporting.EvaluationIndicator", "reporting:evaluationindicator_list"),
    ),
)


def register() -> None:
    from ..workflow.todo import register_todo_panel

    if REPORTING_MENU not in MENU:
        register_menu(REPORTING_MENU)
    register_todo_panel(todo_panels)


def todo_panels(user) -> list:
    """A card when the account owes figures (its own submission not yet sent) or has children's
    submissions to accept or return."""
    from ..framework.objectactions import ObjectPanel
    from .selectors import todo_items

    items = todo_items(user)
    if not items:
        return []
    return [ObjectPanel("reporting/todo_panel.html", {"reporting_items": items}, order=40)]
