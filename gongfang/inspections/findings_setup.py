"""What findings add to the rest of the system at start-up (``InspectionsConfig.ready``).

* the menu group 整改与移交 (findings, urges, referrals, rectifications, re-checks);
* the daily job that flags overdue rectifications;
* the unit's to-do card (its findings to rectify, the latest urges) on the workflow's to-do page;
* buttons on other apps' pages: 督办 on a compliance warning, 登记问题 and the report on an
  inspection, the report on a plan; panels: a plan's charts, an inspection's findings, the
  findings about a room, a person, a building or an organization;
* findings and referrals as subjects of archives documents (evidence, photos, packages).
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from ..framework.navigation import MENU, MenuGroup, MenuItem, register_menu
from ..framework.objectactions import ObjectAction, ObjectPanel

FINDINGS_MENU = MenuGroup(
    "整改与移交",
    items=(
        MenuItem("督查问题", "inspections.Finding", "inspections:finding_list"),
        MenuItem("整改情况", "inspections.Rectification", "inspections:rectification_list"),
        MenuItem("复查记录", "inspections.Recheck", "inspections:recheck_list"),
        MenuItem("督办", "inspections.Urge", "inspections:urge_list"),
        MenuItem("移交纪检监察", "inspections.Referral", "inspections:referral_list"),
    ),
)

EVENT_LABELS = {
    "finding.overdue": "整改逾期",
    "inspection.urge": "督办",
    "inspection.report_pdf": "打印督查问题报告",
}


def ready() -> None:
    from ..framework.changelog import register_event_labels
    from ..framework.jobs import Job, register_job
    from ..framework.objectactions import register_object_actions, register_object_panels
    from ..workflow.todo import register_todo_panel

    if FINDINGS_MENU not in MENU:
        register_menu(FINDINGS_MENU)
    register_event_labels(EVENT_LABELS)
    register_job(
        Job(
            key="inspections.findings_overdue",
            name="督查问题整改逾期提醒",
            description="每天标记整改期限已过、单位尚未反馈或复查未通过的督查问题，"
            "并提醒被检查单位和检查组（同一期限只提醒一次）。",
            run=daily_overdue,
            at=datetime.time(3, 15),
        )
    )
    register_todo_panel(todo_panels)
    register_object_actions(object_actions)
    register_object_panels(object_panels)
    register_subjects()


def daily_overdue() -> str:
    from .findings import flag_overdue

    overdue, fresh = flag_overdue()
    return f"整改逾期的督查问题 {overdue:,} 个（今日新逾期并已提醒 {fresh:,} 个）。"


def register_subjects() -> None:
    """Findings carry evidence and photos; referrals their package. A document of a finding is
    read by whoever reads the finding (the unit too); of a referral, by the bureau and the
    supervisor only (a referral's scope has no organization)."""
    from ..archives.subjects import register_subject
    from .models import Finding, Referral

    register_subject(Finding, region=lambda finding: finding.region)
    register_subject(Referral, region=lambda referral: referral.region)


# The unit's to-do ------------------------------------------------------------------------------
def todo_panels(user) -> list[ObjectPanel]:
    """The findings the account's unit must rectify (a unit administrator), and those waiting
    for the account's re-check (an inspector, a bureau)."""
    from ..accounts.roles import Role
    from .findings_selectors import awaiting_recheck, awaiting_rectification, recent_urges

    panels = []
    if Role.UNIT_ADMIN in (user.roles or ()):
        rows = awaiting_rectification(user)
        if rows:
            panels.append(
                ObjectPanel(
                    "inspections/includes/todo_findings.html",
                    {
                        "title": "待整改的督查问题",
                        "rows": rows,
                        "urges": recent_urges(user),
                        "more": reverse("inspections:finding_list") + "?unfinished=true",
                    },
                    order=10,
                )
            )
    else:
        rows = awaiting_recheck(user)
        if rows:
            panels.append(
                ObjectPanel(
                    "inspections/includes/todo_findings.html",
                    {
                        "title": "待复查的督查问题",
                        "rows": rows,
                        "urges": [],
                        "more": reverse("inspections:finding_list") + "?state=responded",
                    },
                    order=10,
                )
            )
    return panels


# Buttons and panels on other pages -------------------------------------------------------------
def object_actions(user, obj) -> list[ObjectAction]:
    from ..compliance.models import Warning
    from . import findings
    from .models import Inspection, InspectionPlan

    actions: list[ObjectAction] = []
    if isinstance(obj, Warning) and findings.can_urge_warning(user, obj):
        url = reverse("inspections:urge_warning", args=[obj.pk])
        actions.append(ObjectAction("督办", url, icon="bell"))
    elif isinstance(obj, Inspection):
        if findings.can_add_for_inspection(user, obj):
            url = reverse("inspections:finding_onsite") + f"?inspection={obj.pk}"
            actions.append(ObjectAction("登记问题", url))
        url = reverse("inspections:inspection_report_pdf", args=[obj.pk])
        actions.append(ObjectAction("问题报告", url, icon="file"))
    elif isinstance(obj, InspectionPlan):
        url = reverse("inspections:plan_report_pdf", args=[obj.pk])
        actions.append(ObjectAction("问题报告", url, icon="file"))
    return actions


def object_panels(user, obj) -> list[ObjectPanel]:
    from ..registry.models import Building, Organization, Person, Room
    from .findings_selectors import findings_about
    from .models import Finding, Inspection, InspectionPlan
    from .reports import inspection_report, plan_charts, plan_report

    if not user.has_model_perm(Finding, "view"):
        return []
    if isinstance(obj, InspectionPlan):
        report = plan_report(user, obj)
        return [
            ObjectPanel(
                "inspections/includes/plan_findings.html",
                {"report": report, "charts": plan_charts(report)},
                order=20,
            )
        ]
    if isinstance(obj, Inspection):
        report = inspection_report(user, obj)
        return [
            ObjectPanel(
                "inspections/includes/inspection_findings.html",
                {"report": report, "charts": []},
                order=20,
            )
        ]
    if isinstance(obj, Room | Person | Building | Organization):
        rows = findings_about(user, obj)
        if rows:
            return [ObjectPanel("inspections/includes/subject_findings.html", {"rows": rows}, 60)]
    return []
