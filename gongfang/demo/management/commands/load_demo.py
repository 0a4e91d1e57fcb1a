"""``manage.py load_demo --profile {small,zaozhuang,province} [--seed N] [--flush]``.

Builds a realistic registry on the real division codes (DESIGN §8 scale), with planted rule
breaches of known number, one demo account per role, and what every other module adds on top
(its ``demo_part``, see :mod:`gongfang.demo.parts`): the warnings of a full scan, cases in every
state waiting for the demo accounts.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ....registry.demo.profiles import PROFILES, default_anchor
from ...parts import DemoRun, contributions, flush_all


class Command(BaseCommand):
    help = "生成演示数据（基础台账、预置的超标等情形、各角色演示账号、各状态的审批事项）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--profile", choices=PROFILES, default="zaozhuang",
                            help="规模：small（几十行，供测试）、zaozhuang（一个地级市）、province（山东全省）")  # fmt: skip
        parser.add_argument("--seed", type=int, default=2026, help="随机种子，相同种子生成相同数据")
        parser.add_argument("--flush", action="store_true",
                            help="先删除已有演示数据（基础台账、审批事项等；保留行政区划和账号）")  # fmt: skip

    def handle(self, *args, profile: str, seed: int, flush: bool, **options) -> None:
        started = time.perf_counter()
        parts = contributions()
        existing: dict[str, int] = {}
        for _label, module in parts:
            if hasattr(module, "existing"):
                existing.update({name: n for name, n in module.existing().items() if n})
        if existing and not flush:
            listed = "、".join(f"{name} {n:,} 条" for name, n in existing.items())
            raise CommandError(
                f"基础台账中已有数据（{listed}），未写入任何数据。"
                "如需重建演示数据，请加 --flush（先删除基础台账数据，保留行政区划和账号）。"
            )
        if existing:
            with transaction.atomic():
                deleted = flush_all()
            self.stdout.write(f"已删除原有基础台账数据 {deleted:,} 条。")

        run = DemoRun(
            profile=profile,
            seed=seed,
            anchor=default_anchor(),
            stdout=self.stdout,
            style=self.style,
        )
        for _label, module in parts:
            module.build(run)
        elapsed = time.perf_counter() - started

        for title, lines in run.sections:
            self.stdout.write("")
            self.stdout.write(f"{title}：")
            for line in lines:
                self.stdout.write(f"  {line}")
        self.stdout.write("")
        self.stdout.write("演示账号：")
        self.stdout.write(f"  {'账号':<12}{'角色':<10}{'管辖范围':<14}密码")
        password = run.shared.get("demo_password", "")
        for user in run.users.values():
            role = "、".join(user.role_labels)
            self.stdout.write(f"  {user.username:<14}{role:<10}{user.scope_label:<14}{password}")
        self.stdout.write("")
        timings = f"（{'，'.join(run.timings)}）" if run.timings else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：共写入 {run.rows:,} 行，用时 {elapsed:.1f} 秒{timings}，"
                f"每秒 {run.rows / elapsed:,.0f} 行。"
            )
        )
