"""``manage.py load_demo --profile {small,zaozhuang,province} [--seed N] [--flush]``.

Builds a realistic registry on the real division codes (DESIGN §8 scale), with planted rule
breaches of known number, and one demo account per role.
"""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ....standards.demo import ensure_demo_versions
from ...demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from ...demo.builder import build_plan
from ...demo.plan import Plan
from ...demo.profiles import PROFILES, default_anchor, part_specs, region_codes
from ...demo.writer import DatabaseSink, flush_registry, region_ids, registry_counts, write_plan
from ...models import Region
from ...regions_loader import load_regions

LABELS = {
    "organizations": "单位",
    "leadership_quotas": "领导职数",
    "compounds": "院落",
    "buildings": "楼座",
    "floors": "楼层",
    "rooms": "房间",
    "persons": "人员",
    "posts": "兼职",
    "occupancies": "办公室使用",
    "parking_lots": "停车场",
    "canteens": "食堂",
}


class Command(BaseCommand):
    help = "生成演示数据（基础台账、预置的超标等情形、各角色演示账号）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--profile", choices=PROFILES, default="zaozhuang",
                            help="规模：small（几十行，供测试）、zaozhuang（一个地级市）、province（山东全省）")  # fmt: skip
        parser.add_argument("--seed", type=int, default=2026, help="随机种子，相同种子生成相同数据")
        parser.add_argument("--flush", action="store_true",
                            help="先删除已有基础台账数据（保留行政区划和账号）")  # fmt: skip

    def handle(self, *args, profile: str, seed: int, flush: bool, **options) -> None:
        started = time.perf_counter()
        existing = {m._meta.verbose_name: n for m, n in registry_counts().items() if n}
        if existing and not flush:
            listed = "、".join(f"{name} {n:,} 条" for name, n in existing.items())
            raise CommandError(
                f"基础台账中已有数据（{listed}），未写入任何数据。"
                "如需重建演示数据，请加 --flush（先删除基础台账数据，保留行政区划和账号）。"
            )
        if existing:
            with transaction.atomic():
                deleted = flush_registry()
            self.stdout.write(f"已删除原有基础台账数据 {deleted:,} 条。")

        specs = part_specs(profile)
        needed = region_codes(specs)
        regions_written = 0
        if Region.objects.filter(code__in=needed).count() < len(needed):
            result = load_regions(province=specs[0].code[:2])
            regions_written = result.created + result.updated
            self.stdout.write(f"已导入行政区划 {result.total:,} 个（新增 {result.created:,}）。")
        regions = region_ids(needed)

        anchor = default_anchor()
        totals: Counter[str] = Counter()
        planted: dict[str, list] = {}
        usable = building = Decimal("0.00")
        plan_seconds = write_seconds = 0.0
        for spec in specs:
            t0 = time.perf_counter()
            plan = build_plan(spec, seed=seed, anchor=anchor)
            problems = plan.problems()
            if problems:
                raise CommandError(f"{spec.name}的演示数据计划不一致：{'；'.join(problems[:5])}")
            t1 = time.perf_counter()
            with transaction.atomic():
                counts = write_plan(plan, regions=regions, sink=DatabaseSink())
            t2 = time.perf_counter()
            plan_seconds += t1 - t0
            write_seconds += t2 - t1
            totals.update(counts)
            usable += plan.usable_area
            building += plan.building_area
            self._collect_planted(plan, planted)
            self.stdout.write(
                f"{plan.name}：单位 {counts['organizations']:,}，院落 {counts['compounds']:,}，"
                f"楼座 {counts['buildings']:,}，房间 {counts['rooms']:,}，人员 {counts['persons']:,}"
                f"（生成 {t1 - t0:.1f} 秒，写入 {t2 - t1:.1f} 秒）"
            )
            del plan

        ensure_demo_versions()  # 山东省's demo 乡级 standard (and the seeded ones)
        call_command("compliance_scan", stdout=self.stdout)  # the demo opens with its warnings
        users = ensure_demo_accounts(profile)
        elapsed = time.perf_counter() - started
        rows = sum(totals.values()) + regions_written + len(users)

        self.stdout.write("")
        self.stdout.write("写入数量：")
        for key, label in LABELS.items():
            self.stdout.write(f"  {label}：{totals[key]:,}")
        self.stdout.write(
            f"  楼座使用面积合计：{usable:,} 平方米；建筑面积合计：{building:,} 平方米"
        )
        self.stdout.write("")
        self.stdout.write("预置情形（供规则检查核对）：")
        for title, rule, flagged, count, rooms in planted.values():
            mark = "应预警" if flagged else "合规对照"
            extra = f"，共占房间 {rooms:,} 间" if rooms else ""
            self.stdout.write(f"  {rule} {title}：{count:,}（{mark}{extra}）")
        self.stdout.write("")
        self.stdout.write("演示账号：")
        self.stdout.write(f"  {'账号':<12}{'角色':<10}{'管辖范围':<14}密码")
        for user in users:
            role = "、".join(user.role_labels)
            self.stdout.write(
                f"  {user.username:<14}{role:<10}{user.scope_label:<14}{DEMO_PASSWORD}"
            )
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：共写入 {rows:,} 行，用时 {elapsed:.1f} 秒（生成计划 {plan_seconds:.1f} 秒，"
                f"写库 {write_seconds:.1f} 秒），每秒 {rows / elapsed:,.0f} 行。"
            )
        )

    @staticmethod
    def _collect_planted(plan: Plan, planted: dict[str, list]) -> None:
        for case in plan.planted:
            entry = planted.setdefault(case.code, [case.title, case.rule, case.flagged, 0, 0])
            entry[3] += case.count
            entry[4] += case.rooms
