"""Time the re-check that follows an edit of a standard: from the write until every verdict of
the places it applies to is up to date.

    .venv/bin/python bench/bench_recheck.py [--profile province|zaozhuang|small] [--seed 2026]

On a fresh SQLite database with the demo (``load_demo``, which ends with a full scan), a bureau
account of 山东省 makes the province's local standard stricter (a 表1 row: 县级科员及以下 8 m²
instead of the national 9) through the standards service, as the page would. The write returns at once; the re-check runs on
the task queue (the database backend's worker, run here in-process until the queue is empty).
Printed: the write's own time, the time until the queue is done and what was re-judged; a full
scan afterwards, which must find nothing left to change; and the ratio against the floor — the
same edit made again with the queue switched off and the same places scanned directly in this
process.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
SHANDONG = "370000"
# The queued re-check against a direct scan doing the same work: the queue, the progress records
# and the worker may cost this much more, no more.
RATIO_CEILING = 1.25


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="province", choices=["small", "zaozhuang", "province"])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gongfang-bench-recheck-"))
    # Must be set before Django reads its settings.
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongfang.settings"
    sys.path.insert(0, str(ROOT))
    try:
        return run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, workdir: Path) -> int:
    import logging

    import django
    from django.test.utils import override_settings

    django.setup()
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
    from django.core.management import call_command

    from gongfang.accounts.models import User
    from gongfang.compliance.models import Rule, Warning
    from gongfang.compliance.services import place_roots, scan, scan_roots
    from gongfang.framework.services import service_for
    from gongfang.registry.models import Region
    from gongfang.standards.demo import NAME
    from gongfang.standards.models import OfficeLimit, StandardVersion
    from gongfang.standards.selectors import recheck_progress

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("load_demo", profile=args.profile, seed=args.seed, stdout=io.StringIO())
    load_s = time.perf_counter() - started
    print(
        f"bench_recheck: profile {args.profile}, seed {args.seed}, SQLite {sqlite3.sqlite_version} "
        f"(load_demo {load_s:.1f} s)"
    )
    province = Region.objects.get(code=SHANDONG)
    version = StandardVersion.objects.get(region=province, name=NAME)
    bureau = User.objects.create_user(
        "bench_bureau", "Bench@2026pass", name="基准测试", roles=["bureau_admin"],
        scope_region=province,
    )  # fmt: skip
    r1_before = Warning.objects.filter(rule=Rule.R1, state="open").count()
    last_before = Warning.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # Progress records go to this run's own directory, not to the project's var/.
    cache = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(workdir / "progress"),
    }
    with override_settings(CACHES={"default": cache, "progress": cache}):
        t0 = time.perf_counter()
        limit, _ = service_for(OfficeLimit).create(
            actor=bureau,
            data={
                "version": version,
                "standard_level": "county",
                "grade": "staff",
                "area": Decimal("8"),
                "clause": "基准测试：县级科员及以下 8 平方米",
            },
        )
        write_ms = (time.perf_counter() - t0) * 1000
        queued = recheck_progress(version)
        # The worker, in this process, until the queue is empty (it leaves the connection open).
        with mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
        ):
            call_command("db_worker", "--batch", "--no-startup-delay", "-v", "0")
        recheck_s = time.perf_counter() - t0
        done = recheck_progress(version)

    r1_after = Warning.objects.filter(rule=Rule.R1, state="open").count()
    print(
        f"edit of “{version.name}” (县级科员 8 m², national 9): the write took {write_ms:.0f} ms "
        f"(re-check {queued['state'] if queued else 'not queued'}); "
        f"every verdict of {done['places']} updated after {recheck_s:.2f} s "
        f"({done['total']} batches, {done['rooms']:,} rooms, {done['persons']:,} persons, "
        f"{done['rooms'] / recheck_s:,.0f} rooms/s); R1 open {r1_before:,} → {r1_after:,} "
        f"(opened {done['opened']:,}, reopened {done['reopened']:,}, resolved {done['resolved']:,})"
    )

    check = scan(region_code=SHANDONG)
    left = check.opened + check.reopened + check.resolved
    print(
        f"a full scan after the re-check changed {left} verdicts "
        f"({'every affected verdict was up to date' if left == 0 else 'NOT up to date'})"
    )

    # The floor: the same work without the queue — the row deleted and the warnings it opened
    # removed (back to the state before the edit), the same row written again with queueing off,
    # and the province scanned directly in this process.
    data = {k: getattr(limit, k) for k in ("version", "standard_level", "grade", "area", "clause")}
    with mock.patch("gongfang.compliance.receivers.queue_standard_recheck"):
        service_for(OfficeLimit).delete(actor=bureau, instance=limit)
        Warning.objects.filter(pk__gt=last_before).delete()
        service_for(OfficeLimit).create(actor=bureau, data=data)
    t0 = time.perf_counter()
    floor = scan_roots(place_roots([province.path]))
    floor_s = time.perf_counter() - t0
    ratio = recheck_s / floor_s
    print(
        f"floor, the same edit with the queue off and the province scanned directly: "
        f"{floor_s:.2f} s (opened {floor.opened:,}); ratio {ratio:.2f} "
        f"(ceiling {RATIO_CEILING:.2f}) — {'OK' if ratio <= RATIO_CEILING else 'ABOVE'}"
    )
    return 0 if left == 0 and done["state"] == "done" else 1


if __name__ == "__main__":
    raise SystemExit(main())
