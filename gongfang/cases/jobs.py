"""The cases app's periodic job: reminders of loan and lease terms coming to their end.

A term's end is reminded 30 and 7 days before and once more when it has passed (R8 then flags
the room again on the daily scan, with the lapsed term named). Each reminder is an in-app
notification to the case's author and the applicant's unit admins; ``reminded_on`` keeps a
term from being reminded twice for the same threshold.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import NoReverseMatch

from ..accounts.models import User
from ..accounts.roles import Role
from ..framework import clock
from ..framework.jobs import Job, register_job
from ..workflow.models import Notification
from .models import ApprovedUse, Use

# Days before the end at which a reminder goes out; -1: the term has passed.
THRESHOLDS = (30, 7, -1)
REMINDED_USES = (Use.LENT, Use.LEASED_OUT, Use.RENTED)


def threshold(days_left: int) -> int | None:
    """The smallest threshold the remaining days have reached (None: not yet 30 days)."""
    reached = [t for t in THRESHOLDS if days_left <= t]
    return min(reached) if reached else None


def _url(case) -> str:
    try:
        return case.get_absolute_url()
    except NoReverseMatch:
        return ""


def recipients(case) -> list[User]:
    users = {
        u.pk: u
        for u in User.objects.filter(is_active=True, scope_organization_id=case.applicant_id)
        if Role.UNIT_ADMIN in (u.roles or ())
    }
    if case.created_by.is_active:
        users.setdefault(case.created_by_id, case.created_by)
    return list(users.values())


def remind_term_ends(*, today: datetime.date | None = None) -> int:
    """Notify the terms reaching a threshold today; returns how many terms were reminded."""
    today = today or clock.today()
    horizon = today + datetime.timedelta(days=THRESHOLDS[0])
    uses = ApprovedUse.objects.filter(
        use__in=REMINDED_USES, ended_on__isnull=True, ends_on__lte=horizon
    ).select_related("case__created_by", "case__applicant", "room__floor__building__compound")
    now = clock.now()
    reminded = 0
    with transaction.atomic():
        for use in uses:
            days_left = (use.ends_on - today).days
            due = threshold(days_left)
            if due is None:
                continue
            if (
                use.reminded_on is not None
                and threshold((use.ends_on - use.reminded_on).days) == due
            ):
                continue  # already reminded at this threshold
            label = use.get_use_display()
            if days_left < 0:
                message = (
                    f"{label}期限已于 {use.ends_on:%Y-%m-%d} 届满：{use.room}（{use.case.number}）"
                )
            else:
                message = (
                    f"{label}期限将于 {use.ends_on:%Y-%m-%d} 届满（还有 {days_left} 天）："
                    f"{use.room}（{use.case.number}）"
                )
            Notification.objects.bulk_create(
                Notification(
                    user=user,
                    case=use.case,
                    message=message[:300],
                    url=_url(use.case),
                    created_at=now,
                )
                for user in recipients(use.case)
            )
            ApprovedUse.objects.filter(pk=use.pk).update(reminded_on=today)
            reminded += 1
    return reminded


def daily_reminders() -> str:
    today = clock.today()
    n = remind_term_ends(today=today)
    return f"{today:%Y-%m-%d} 出借、出租、租用期限到期提醒：{n} 项。"


def register() -> None:
    register_job(
        Job(
            key="cases.term_reminders",
            name="出借出租期限到期提醒",
            description="每天提醒出借、出租、租用期限在 30 天、7 天内届满和已届满的房间"
            "（站内消息发给申请单位管理员和经办人）。",
            run=daily_reminders,
            at=datetime.time(7, 30),
        )
    )
