"""The daily reminder (催报) of open reporting periods."""

from __future__ import annotations

import datetime

from ..framework import clock
from ..framework.jobs import Job, register_job

# Remind when this many days or fewer are left before the deadline (and after it).
REMIND_WITHIN_DAYS = 7


def remind_periods() -> str:
    from .choices import PeriodState
    from .models import ReportPeriod
    from .services import do_remind

    today = clock.today()
    due = ReportPeriod.objects.filter(
        state=PeriodState.OPEN, deadline__lte=today + datetime.timedelta(days=REMIND_WITHIN_DAYS)
    )
    sent = sum(do_remind(period=period) for period in due)
    return f"催报 {len(due):,} 个报送期，消息 {sent:,} 条。"


def register() -> None:
    register_job(
        Job(
            key="reporting.reminder",
            name="统计报送催报",
            description=f"每天向截止日期前 {REMIND_WITHIN_DAYS} 天内（及已逾期）尚未报送的填报单位"
            "发送站内消息。",
            run=remind_periods,
            at=datetime.time(8, 30),
        )
    )
