"""``manage.py run_scheduler``: the scheduler process — run beside the task worker (one or more
nodes; each due run is claimed once in the database).

At start it adds a row for every newly registered job and dispatches what is due (a run missed
while it was down, once); then APScheduler calls the dispatch every ``SCHEDULER_TICK_SECONDS``.
The jobs themselves run in the worker (``manage.py db_worker``), not here.
"""

from __future__ import annotations

import contextlib
import signal

from apscheduler.schedulers.blocking import BlockingScheduler
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from ...services import dispatch_due, sync_jobs


def tick() -> None:
    # A long-lived process: drop connections the database closed meanwhile, as requests do.
    close_old_connections()
    dispatch_due()
    close_old_connections()


class Command(BaseCommand):
    help = "定时任务调度进程：按计划把到期的定时任务放入任务队列（由 db_worker 执行）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="只检查一次到期任务后退出（供系统 cron 调用）"
        )

    def handle(self, *args, once: bool, **options) -> None:
        tick_seconds = settings.SCHEDULER_TICK_SECONDS
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)

        def stop(*_) -> None:
            if scheduler.running:
                scheduler.shutdown(wait=False)
            else:
                raise SystemExit(0)

        # From the start: a service manager may stop us while we still catch up.
        signal.signal(signal.SIGTERM, stop)
        for row in sync_jobs():
            self.say(f"登记定时任务：{row.name}（{row.schedule_label}）")
        dispatched = dispatch_due()
        if dispatched:
            self.say(f"补运行到期任务：{'、'.join(dispatched)}")
        if once:
            return
        scheduler.add_job(
            tick,
            "interval",
            seconds=tick_seconds,
            id="dispatch_due",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=tick_seconds,
        )
        self.say(f"定时任务调度已启动：每 {tick_seconds} 秒检查一次到期任务。")
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            scheduler.start()
        self.say("定时任务调度已停止。")

    def say(self, message: str) -> None:
        # Written to a log file by make serve and service managers: at once, not at exit.
        self.stdout.write(message)
        self.stdout.flush()
