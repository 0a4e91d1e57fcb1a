"""The terminals app's periodic job: monthly partitions of positions created ahead."""

from __future__ import annotations

import datetime

from ..framework import clock
from ..framework.jobs import Job, register_job
from .partitions import ensure_months, is_partitioned

MONTHS_AHEAD = 3


def create_partitions(on: datetime.date | None = None) -> str:
    today = on or clock.today()
    if not is_partitioned():
        return "定位数据表未分区（SQLite），无需创建分区。"
    created = ensure_months(today, today + datetime.timedelta(days=31 * MONTHS_AHEAD))
    return f"新建定位数据分区 {len(created)} 个：{'、'.join(created) or '无'}。"


def register() -> None:
    register_job(
        Job(
            key="terminals.position_partitions",
            name="定位数据分区",
            description=f"每天为定位数据表预建未来 {MONTHS_AHEAD} 个月的按月分区（仅 PostgreSQL）。",
            run=create_partitions,
            at=datetime.time(2, 30),
        )
    )
