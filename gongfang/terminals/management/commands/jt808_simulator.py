"""``manage.py jt808_simulator``: terminals replaying the fleet's saved trips over TCP."""

from __future__ import annotations

import asyncio
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ....framework import clock
from ...models import Terminal, TerminalState, Trip
from ...simulator import Plan, reports_from_route, run_fleet


def plans_for_day(day: datetime.date, *, limit: int | None = None) -> list[Plan]:
    """One plan per bound terminal whose vehicle has trips on ``day``: its trips' reports."""
    terminals = {
        t.vehicle_id: t
        for t in Terminal.objects.filter(state=TerminalState.BOUND, vehicle__isnull=False)
    }
    trips = Trip.objects.filter(
        vehicle_id__in=list(terminals), start_at__date=day, closed=True
    ).order_by("vehicle_id", "start_at")
    by_vehicle: dict[int, list] = {}
    for trip in trips:
        reports = reports_from_route(trip.route)
        by_vehicle.setdefault(trip.vehicle_id, []).extend(reports)
    plans = [
        Plan(terminals[v].phone, reports, version=terminals[v].protocol)
        for v, reports in sorted(by_vehicle.items())
    ]
    return plans[:limit] if limit else plans


def unknown_plans(count: int) -> list[Plan]:
    return [Plan(f"1990000{k:04d}", []) for k in range(1, count + 1)]


class Command(BaseCommand):
    help = "模拟车载终端：按倍速回放车队某日的行程，经 TCP 发送 JT/T 808 定位数据。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=6808)
        parser.add_argument("--day", help="回放的日期（YYYY-MM-DD），默认最近一个有行程的日子")
        parser.add_argument("--speed", type=float, default=60.0, help="倍速（0 为不等待）")
        parser.add_argument("--limit", type=int, default=0, help="最多回放的终端数")
        parser.add_argument("--unknown", type=int, default=0, help="另模拟若干未绑定终端")
        parser.add_argument("--live", action="store_true", help="以当前时间作为定位时间")
        parser.add_argument("--loop", action="store_true", help="回放完毕后重复")

    def handle(self, *args, **options) -> None:
        day = self._day(options["day"])
        plans = plans_for_day(day, limit=options["limit"] or None)
        plans += unknown_plans(options["unknown"])
        if not plans:
            raise CommandError(f"{day:%Y-%m-%d} 没有可回放的行程（请先加载演示数据）。")
        self.stdout.write(f"回放 {day:%Y-%m-%d}：{len(plans):,} 个终端，{options['speed']:g} 倍速")
        while True:
            stats = asyncio.run(
                run_fleet(
                    plans,
                    options["host"],
                    options["port"],
                    speed=options["speed"],
                    live=options["live"],
                )
            )
            self.stdout.write(
                f"已发送定位 {stats.sent:,} 条，确认 {stats.acked:,} 条，注册被拒 {stats.refused:,} 个，"
                f"连接错误 {stats.errors:,}；确认延迟 p99 {stats.p(0.99) * 1000:.1f} ms"
            )
            if not options["loop"]:
                break

    def _day(self, text: str | None) -> datetime.date:
        if text:
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                raise CommandError(f"日期“{text}”无效，应为 YYYY-MM-DD。") from None
        latest = (
            Trip.objects.filter(closed=True, start_at__date__lt=clock.today())
            .order_by("-start_at")
            .values_list("start_at", flat=True)
            .first()
        )
        if latest is None:
            raise CommandError("没有行程可回放（请先加载演示数据）。")
        return timezone.localtime(latest).date()
