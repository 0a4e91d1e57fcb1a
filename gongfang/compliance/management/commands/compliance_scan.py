"""``manage.py compliance_scan [--region CODE]``: judge every room, person, organization and
building of a region (all regions by default) and bring the warnings up to date.

Run it daily: the time-based rules (R3, R4, R5, R7) move with the calendar, and after a change of
the standards (a province's local version) it re-judges the province.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from ....registry.models import Region
from ...models import Rule
from ...services import Outcome, scan


class Command(BaseCommand):
    help = "全面核查办公用房使用情况，生成、更新或自动解除超标预警。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--region", help="只核查该行政区划（含下级），填区划代码，如 370400")

    def handle(self, *args, region: str | None = None, **options) -> None:
        if region and not Region.objects.filter(code=region).exists():
            raise CommandError(f"没有代码为 {region} 的行政区划。")
        verbosity = options.get("verbosity", 1)
        started = time.perf_counter()

        def progress(label: str, outcome: Outcome) -> None:
            if verbosity > 1:
                self.stdout.write(
                    f"  {label}：房间 {outcome.rooms:,}，人员 {outcome.persons:,}，"
                    f"发现 {outcome.findings:,}，新增 {outcome.opened:,}，解除 {outcome.resolved:,}"
                )

        total = scan(region_code=region, progress=progress)
        elapsed = time.perf_counter() - started
        rate = total.rooms / elapsed if elapsed else 0.0
        self.stdout.write(
            f"超标预警核查：房间 {total.rooms:,} 间、人员 {total.persons:,} 人、单位 "
            f"{total.organizations:,} 个、楼座 {total.buildings:,} 栋，用时 {elapsed:.1f} 秒"
            f"（每秒 {rate:,.0f} 间房间）。"
        )
        self.stdout.write(
            f"  当前问题 {total.findings:,} 项：新增 {total.opened:,}，重新出现 {total.reopened:,}，"
            f"更新 {total.refreshed:,}；已自动解除 {total.resolved:,}。"
        )
        labels = dict(Rule.choices)
        for rule in Rule.values:
            if total.by_rule.get(rule):
                self.stdout.write(f"  {labels[rule]}：{total.by_rule[rule]:,}")
