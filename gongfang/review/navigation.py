"""The 数据会审 menu group, the to-do cards of the review's findings and the findings' export."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu
from ..framework.objectactions import ObjectPanel

REVIEW_MENU = MenuGroup(
    "数据会审",
    items=(
        MenuItem("会审批次", "review.Review", "review:review_list"),
        MenuItem("会审问题", "review.Finding", "review:finding_list"),
        MenuItem("交叉互审", "review.Assignment", "review:assignment_list"),
        MenuItem("应填字段", "review.RequiredField", "review:requiredfield_list"),
    ),
)

FINDING_EXPORT_FIELDS = (
    "id",
    "review",
    "organization",
    "subject",
    "subject_label",
    "field_label",
    "problem",
    "severity",
    "source",
    "state",
    "found_by",
    "created_at",
    "rectification",
    "rectified_at",
    "recheck_note",
    "closed_at",
    "returned_count",
)


def register() -> None:
    from ..framework.exports import field_exporter, register_exporter
    from ..workflow.todo import register_todo_panel
    from .models import Finding

    if REVIEW_MENU not in MENU:
        register_menu(REVIEW_MENU)
    register_todo_panel(todo_panels)
    register_exporter(Finding, field_exporter(Finding, "会审问题", FINDING_EXPORT_FIELDS))


def todo_panels(user) -> list[ObjectPanel]:
    """A unit's findings to rectify; a reviewer's (bureau or cross-reviewing unit) to re-check."""
    from django.urls import reverse

    from .selectors import awaiting_recheck, awaiting_rectification

    url = reverse("review:finding_list")
    panels = []
    rows = awaiting_rectification(user)
    if rows:
        panels.append(
            ObjectPanel(
                "review/includes/todo.html",
                {"title": "待整改的会审问题", "rows": rows, "more": f"{url}?unrectified=true"},
                order=12,
            )
        )
    rows = awaiting_recheck(user)
    if rows:
        panels.append(
            ObjectPanel(
                "review/includes/todo.html",
                {"title": "待复核的会审问题", "rows": rows, "more": f"{url}?state=rectified"},
                order=13,
            )
        )
    return panels
