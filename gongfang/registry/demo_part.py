"""The registry's part of the demo (``manage.py load_demo``, app ``demo``): the regions, the
organizations, sites, rooms, persons and occupancies of the profile's parts (with planted rule
breaches of known number, DESIGN §8 scale), and one demo account per role."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import transaction

from .demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from .demo.builder import build_plan
from .demo.plan import Plan
from .demo.profiles import part_specs, region_codes
from .demo.writer import DatabaseSink, flush_registry, region_ids, registry_counts, write_plan
from .models import Region
from .regions_loader import load_regions

LABEL = "基础台账"
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


def existing() -> dict[str, int]:
    return {m._meta.verbose_name: n for m, n in registry_counts().items() if n}


def flush() -> int:
    return flush_registry()


def build(run) -> None:
    specs = part_specs(run.profile)
    needed = region_codes(specs)
    if Region.objects.filter(code__in=needed).count() < len(needed):
        result = load_regions(province=specs[0].code[:2])
        run.rows += result.created + result.updated
        run.say(f"已导入行政区划 {result.total:,} 个（新增 {result.created:,}）。")
    regions = region_ids(needed)

    totals: Counter[str] = Counter()
    planted: dict[str, list] = {}
    usable = building = Decimal("0.00")
    plan_seconds = write_seconds = 0.0
    for spec in specs:
        t0 = time.perf_counter()
        plan = build_plan(spec, seed=run.seed, anchor=run.anchor)
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
        _collect_planted(plan, planted)
        run.say(
            f"{plan.name}：单位 {counts['organizations']:,}，院落 {counts['compounds']:,}，"
            f"楼座 {counts['buildings']:,}，房间 {counts['rooms']:,}，人员 {counts['persons']:,}"
            f"（生成 {t1 - t0:.1f} 秒，写入 {t2 - t1:.1f} 秒）"
        )
        del plan

    users = ensure_demo_accounts(run.profile)
    run.users.update({user.username: user for user in users})
    run.rows += sum(totals.values()) + len(users)
    run.shared["demo_password"] = DEMO_PASSWORD
    run.timings += [f"生成计划 {plan_seconds:.1f} 秒", f"写库 {write_seconds:.1f} 秒"]

    lines = [f"{label}：{totals[key]:,}" for key, label in LABELS.items()]
    lines.append(f"楼座使用面积合计：{usable:,} 平方米；建筑面积合计：{building:,} 平方米")
    run.section("写入数量", lines)
    lines = []
    for title, rule, flagged, count, rooms in planted.values():
        mark = "应预警" if flagged else "合规对照"
        extra = f"，共占房间 {rooms:,} 间" if rooms else ""
        lines.append(f"{rule} {title}：{count:,}（{mark}{extra}）")
    run.section("预置情形（供规则检查核对）", lines)


def _collect_planted(plan: Plan, planted: dict[str, list]) -> None:
    for case in plan.planted:
        entry = planted.setdefault(case.code, [case.title, case.rule, case.flagged, 0, 0])
        entry[3] += case.count
        entry[4] += case.rooms
