"""The 测绘与三方确认 menu group, the to-do cards of each party, and the floor pages' link to
the batches that measured them."""

from __future__ import annotations

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu

SURVEY_MENU = MenuGroup(
    "测绘与三方确认",
    items=(
        MenuItem("测绘批次", "survey.SurveyBatch", "survey:surveybatch_list"),
        MenuItem("测绘图纸", "survey.SurveyDrawing", "survey:surveydrawing_list"),
        MenuItem("核对房间", "survey.SurveyItem", "survey:surveyitem_list"),
    ),
)


def register() -> None:
    if SURVEY_MENU not in MENU:
        register_menu(SURVEY_MENU)


def todo_panels(user) -> list:
    """One card listing the batches waiting for ``user``: drawings to bring or correct (the
    surveyor), items to confirm and signatures to give (each party)."""
    from ..framework.objectactions import ObjectPanel
    from .selectors import waiting_for

    rows = waiting_for(user)
    if not rows:
        return []
    return [ObjectPanel("survey/includes/todo.html", {"survey_rows": rows}, order=40)]
