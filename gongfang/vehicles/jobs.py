"""The vehicles app's periodic job: a daily reminder of annual inspections due or overdue.

Each open inspection due within 30 days (or overdue) is reminded once a week at most
(``reminded_on``): the unit admins of the vehicle's organization (or of an organization above it)
get an in-app notification (workflow ``Notification``) linking to the list of their inspections
due, one per organization and day, naming the plates.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ..accounts.models import User
from ..accounts.roles import Role
from ..framework import clock
from ..framework.jobs import Job, register_job
from ..workflow.models import Notification
from .models import AnnualInspection
from .selectors import inspections_due

REMIND_EVERY = datetime.timedelta(days=7)
PLATES_NAMED = 5


def _unit_admins(organization_paths: set[str]) -> dict[str, list[User]]:
    """Active unit admins per organization path, each admin listed under every organization of
    the paths that lies inside their organization's subtree."""
    ids = {int(part) for path in organization_paths for part in path.split("/") if part}
    admins = [
        user
        for user in User.objects.filter(
            is_active=True, scope_organization_id__in=ids
        ).select_related("scope_organization")
        if Role.UNIT_ADMIN in (user.roles or ())
    ]
    return {
        path: [u for u in admins if path.startswith(u.scope_organization.path)]
        for path in organization_paths
    }


def _list_url() -> str:
    try:
        return reverse("vehicles:annualinspection_list") + "?due=overdue"
    except NoReverseMatch:  # pages not wired (headless settings)
        return ""


def remind_inspections(on: datetime.date | None = None) -> str:
    today = on or clock.today()
    due = list(
        inspections_due(on=today).filter(
            Q(reminded_on__isnull=True) | Q(reminded_on__lte=today - REMIND_EVERY)
        )
    )
    if not due:
        return "没有需要提醒的年检。"
    by_org: dict[str, list[AnnualInspection]] = defaultdict(list)
    for inspection in due:
        by_org[inspection.vehicle.organization.path].append(inspection)
    admins = _unit_admins(set(by_org))
    now = timezone.now()
    url = _list_url()
    notices = []
    for path, inspections in by_org.items():
        overdue = sum(1 for i in inspections if i.due_on < today)
        plates = "、".join(i.vehicle.plate for i in inspections[:PLATES_NAMED])
        more = f"等 {len(inspections)} 辆" if len(inspections) > PLATES_NAMED else ""
        message = (
            f"年检提醒：{plates}{more}车辆的年检即将到期或已逾期（其中逾期 {overdue} 辆），"
            "请按时送检并登记检验结果。"
        )
        notices += [
            Notification(user=user, message=message[:300], url=url, created_at=now)
            for user in admins[path]
        ]
    with transaction.atomic():
        Notification.objects.bulk_create(notices)
        AnnualInspection.objects.filter(pk__in=[i.pk for i in due]).update(reminded_on=today)
    return f"提醒年检 {len(due):,} 辆（{len(by_org):,} 个单位，消息 {len(notices):,} 条）。"


def register() -> None:
    register_job(
        Job(
            key="vehicles.inspection_reminder",
            name="车辆年检提醒",
            description="每天查找 30 天内到期或已逾期、尚未登记检验结果的年检，向车辆所属单位的单位管理员"
            "发送站内消息（同一辆车每 7 天至多提醒一次）。",
            run=remind_inspections,
            at=datetime.time(8, 0),
        )
    )
