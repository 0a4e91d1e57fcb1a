"""Data review at city scale: every automatic check of a review over the whole demo city
(17,074 rooms, 10,663 persons), and a re-check of one finding's object.

Usage: .venv/bin/python bench/bench_review.py --db /tmp/s3.sqlite3 [--runs 3]

The database is a loaded zaozhuang demo (``load_demo --profile zaozhuang``). Prints the median
time of a city-wide run of the checks, the results found, and its ratio to the floor the
hardware allows for the same reads: one pass over the scope's rooms and persons reading the
same columns (``values_list``), no checks. Then the median of a single object's re-run (what a
reviewer's 销号 waits for). The goal: the city-wide run within ``TARGET_RATIO`` times the floor
and a re-check under 100 ms.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 10.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongfang.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.db import transaction

    from gongfang.registry.models import Person, Region, Room
    from gongfang.review.checks import run_checks
    from gongfang.review.models import Review

    on = datetime.date.today()
    with transaction.atomic():
        city = Region.objects.get(code="370400")
        review = Review.objects.create(name="基准测试会审", region=city, starts_on=on, ends_on=on)

        def floor() -> None:
            rooms = Room.objects.filter(
                floor__building__compound__region__path__startswith=city.path
            )
            list(
                rooms.values_list(
                    "pk",
                    "number",
                    "organization_id",
                    "building_area",
                    "usable_area",
                    "floor__building__name",
                    "floor__building__compound__name",
                )
            )
            list(
                Person.objects.filter(organization__region__path__startswith=city.path).values_list(
                    "pk", "position", "name"
                )
            )

        def timed(fn, runs: int) -> tuple[float, object]:
            times, result = [], None
            for _ in range(runs):
                t0 = time.perf_counter()
                result = fn()
                times.append(time.perf_counter() - t0)
            return statistics.median(times), result

        base, _ = timed(floor, args.runs)
        full, results = timed(lambda: run_checks(review, on=on), args.runs)
        room = Room.objects.filter(floor__building__compound__region=city).order_by("pk").first()
        one, _ = timed(lambda: run_checks(review, on=on, only=("room", [room.pk])), 10)
        transaction.set_rollback(True)
    rooms = Room.objects.filter(
        floor__building__compound__region__path__startswith=city.path
    ).count()
    print(f"城市全量自动核查：房间 {rooms:,} 间，发现 {len(results):,} 项，中位 {full:.2f} 秒")
    print(f"同范围读取下限：{base:.2f} 秒；倍数 {full / base:.1f}（目标 ≤ {TARGET_RATIO}）")
    print(f"单个对象复核重跑：中位 {one * 1000:.0f} 毫秒（目标 < 100）")


if __name__ == "__main__":
    main()
