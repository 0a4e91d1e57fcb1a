"""The ledger's periodic job: import batches whose worker died are reclaimed as failed
(registered in ``LedgerConfig.ready``). Workers also reclaim when they start and before each
queued stage; this catches a dead worker that no other worker has replaced yet."""

from __future__ import annotations

import datetime

from ..framework.jobs import Job, register_job
from .services import reclaim_stuck_batches


def reclaim() -> str:
    batches = reclaim_stuck_batches()
    if not batches:
        return "没有中断的导入批次。"
    names = "、".join(f"“{b.filename}”（批次 {b.pk}）" for b in batches[:20])
    more = f"等 {len(batches)} 个" if len(batches) > 20 else ""
    return f"已将后台任务进程中断的导入批次{names}{more}标为处理失败，可重试或放弃。"


def register() -> None:
    register_job(
        Job(
            key="ledger.reclaim_stuck_batches",
            name="回收中断的导入批次",
            description="处理进程中断（租约过期或进程已不存在）的台账导入批次标为处理失败，"
            "说明最后心跳时间，并关闭其后台任务；这些批次未写入任何数据，可重试或放弃。",
            run=reclaim,
            interval=datetime.timedelta(minutes=1),
        )
    )
