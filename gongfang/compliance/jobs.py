"""The compliance app's periodic job: the daily scan (registered in ``ComplianceConfig.ready``).

The time-based rules (R3 one month after a retirement, R4 after a post ends, R5 after months
idle, R7 after an organization's grace period) and rectification deadlines move with the
calendar, not with any write: this scan is what raises them.
"""

from __future__ import annotations

import datetime

from ..framework import clock
from ..framework.jobs import Job, register_job
from .services import flag_overdue, scan


def daily_scan() -> str:
    """Every region judged for today; overdue rectifications flagged."""
    today = clock.today()
    total = scan(today=today)
    overdue, newly = flag_overdue(today=today)
    return (
        f"{today:%Y-%m-%d} 全面核查：房间 {total.rooms:,} 间、人员 {total.persons:,} 人、单位 "
        f"{total.organizations:,} 个、楼座 {total.buildings:,} 栋；当前问题 {total.findings:,} 项，"
        f"新增 {total.opened:,}，重新出现 {total.reopened:,}，自动解除 {total.resolved:,}；"
        f"整改逾期 {overdue:,} 项（今日新逾期 {newly:,}）。"
    )


def register() -> None:
    register_job(
        Job(
            key="compliance.daily_scan",
            name="每日超标预警核查",
            description="每天凌晨核查全部区划：推进按时间判定的规则（R3、R4、R5、R7），"
            "生成、更新或自动解除超标预警，并标记整改逾期的预警。",
            run=daily_scan,
            at=datetime.time(3, 0),
        )
    )
