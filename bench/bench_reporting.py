"""Statistics reporting at scale: pre-fill every unit of a period and aggregate it at all levels.

Usage: .venv/bin/python bench/bench_reporting.py [--db /tmp/gongfang-bench-reporting.sqlite3]
                                                 [--profile zaozhuang|province] [--reuse]

Builds the demo (``load_demo --profile``) into a fresh SQLite file (``--reuse`` keeps an existing
one), then, for the top region of the demo (the province in the province profile, the city
otherwise), opens a new period through the service — one submission per organization and per
region's bureau, every cell pre-filled from the registry as of the period's date (the change log
read back by ``registry.asof``) — and times it. Then every submission is marked accepted (one
UPDATE: the states are not what is measured) and the whole period is aggregated bottom-up
(``selectors.aggregate_period``: each bureau's own + accepted children, the registry's figures
of its subtree and of the covered part), timed too, and the one bureau page's aggregate beside.

The goal (issue 14): pre-fill and aggregation of the province's four-level period under
``GOAL_SECONDS``; the figures are printed with the units and regions counted, and the ratio to
the goal.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 10.0


def setup(db: Path, profile: str, reuse: bool) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongfang.settings")
    os.environ["DEBUG"] = "0"
    import django

    if not reuse:
        for path in db.parent.glob(db.name + "*"):
            path.unlink()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gongfang.registry.models import Room

    if not Room.objects.exists():
        started = time.monotonic()
        call_command("load_demo", profile=profile, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"演示数据（{profile}）生成 {time.monotonic() - started:.1f} 秒")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/gongfang-bench-reporting.sqlite3")
    parser.add_argument("--profile", default="zaozhuang", choices=["zaozhuang", "province"])
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    setup(Path(args.db), args.profile, args.reuse)

    from django.db.models import Count

    from gongfang.accounts.models import User
    from gongfang.accounts.roles import Role
    from gongfang.registry.models import Region
    from gongfang.reporting import selectors, services
    from gongfang.reporting.choices import SubmissionState
    from gongfang.reporting.models import ReportForm, ReportPeriod, Submission

    # The demo's highest bureau account (sd_bureau in the province profile, zz_bureau else).
    bureau = min(
        (
            u
            for u in User.objects.filter(scope_region__isnull=False).select_related("scope_region")
            if u.has_role(Role.BUREAU_ADMIN)
        ),
        key=lambda u: len(u.scope_region.path),
    )
    top = bureau.scope_region
    form = ReportForm.objects.filter(region__isnull=True).order_by("-year").first()
    year = 2000 + ReportPeriod.objects.filter(region=top).count()  # a year of its own each run
    levels = (
        Region.objects.filter(path__startswith=top.path)
        .values("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    print(
        f"顶层区划：{top.full_name}（{top.code}）；区划 "
        + "，".join(f"{r['level']} {r['n']:,}" for r in levels)
    )

    started = time.monotonic()
    period = services.do_open_period(
        form=form,
        region=top,
        year=year,
        as_of=datetime.date(2025, 12, 31),
        deadline=datetime.date(2026, 3, 31),
        actor=bureau,
    )
    prefill_s = time.monotonic() - started
    units = period.submissions.count()
    bureaus = period.submissions.filter(organization__isnull=True).count()
    print(
        f"发起并预填：{units:,} 个填报单位（其中机关事务管理部门 {bureaus:,} 个），{prefill_s:.2f} 秒"
    )

    Submission.objects.filter(period=period).update(state=SubmissionState.ACCEPTED)
    started = time.monotonic()
    aggregates = selectors.aggregate_period(period)
    aggregate_s = time.monotonic() - started
    own = period.submissions.get(unit_key=f"region:{top.pk}")
    missing = sum(len(a.missing) for a in aggregates.values())
    print(
        f"逐级汇总：{len(aggregates):,} 个层级汇总（未接收 {missing}），{aggregate_s:.2f} 秒；"
        f"顶层 B02 汇总 {aggregates[own.pk].totals['B02']:,} ㎡，登记 "
        f"{aggregates[own.pk].registry['B02']:,} ㎡"
    )
    total = prefill_s + aggregate_s
    print(
        f"合计 {total:.2f} 秒，目标 {GOAL_SECONDS:.0f} 秒以内：为目标的 {total / GOAL_SECONDS:.2f} 倍"
    )
    period.delete()


if __name__ == "__main__":
    main()
