"""``manage.py load_regions [--province 37]``: load the shipped administrative-division list."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from ...regions_loader import load_regions, normalize_province


class Command(BaseCommand):
    help = "导入行政区划代码（GB/T 2260，2022 年版）：省、市、县、乡四级；可重复运行。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--province", help="只导入一个省（2 位或 6 位代码，如 37 或 370000），默认全部"
        )

    def handle(self, *args, province: str | None = None, **options) -> None:
        if province:
            try:
                province = normalize_province(province)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        started = time.perf_counter()
        result = load_regions(province=province)
        elapsed = time.perf_counter() - started
        for line in result.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"行政区划共 {result.total:,} 个：新增 {result.created:,}，更新 {result.updated:,}，"
                f"用时 {elapsed:.1f} 秒。"
            )
        )
