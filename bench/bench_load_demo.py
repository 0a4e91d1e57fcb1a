"""Time ``load_demo`` on a fresh SQLite database, against the 60 s target and the hardware floor.

    .venv/bin/python bench/bench_load_demo.py [--profile zaozhuang] [--seed 2026]

The floor is the same rows of the same tables written by plain ``executemany`` INSERTs (ids
assigned up front, one transaction) into a fresh copy of the same migrated database, built from
the same plan: what any loader on this machine and this SQLite cannot beat.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profile", default="zaozhuang", choices=["small", "zaozhuang", "province"]
    )
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gongfang-bench-"))
    database = workdir / "bench.sqlite3"
    baseline = workdir / "baseline.sqlite3"
    # Must be set before Django reads its settings.
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongfang.settings"
    sys.path.insert(0, str(ROOT))
    try:
        return run(args, database, baseline)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, database: Path, baseline: Path) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    connection.close()  # checkpoints the WAL, so the file alone is the migrated database
    shutil.copyfile(database, baseline)

    started = time.perf_counter()
    call_command("load_demo", profile=args.profile, seed=args.seed, stdout=io.StringIO())
    elapsed = time.perf_counter() - started
    tables = table_rows(connection)
    rows = sum(tables.values())

    floor_seconds, floor_rows = floor(args, baseline, connection)

    print(
        f"bench_load_demo: profile {args.profile}, seed {args.seed}, SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"load_demo: {elapsed:.2f} s for {rows:,} rows in {len(tables)} tables, {rows / elapsed:,.0f} rows/s"
    )
    verdict = "met" if elapsed <= TARGET_SECONDS else "MISSED"
    print(
        f"target {TARGET_SECONDS:.0f} s: {verdict} ({elapsed / TARGET_SECONDS:.0%} of the target)"
    )
    print(
        f"floor (raw executemany, same rows, same tables): {floor_seconds:.2f} s for {floor_rows:,} rows, "
        f"{floor_rows / floor_seconds:,.0f} rows/s"
    )
    print(f"load_demo / floor: {elapsed / floor_seconds:.1f}x")
    if floor_rows != rows:
        print(f"warning: the floor wrote {floor_rows:,} rows, load_demo {rows:,}")
    return 0 if elapsed <= TARGET_SECONDS else 1


def table_rows(connection) -> dict[str, int]:
    """Rows per table that load_demo writes (on a fresh database: all it wrote)."""
    from gongfang.accounts.models import User
    from gongfang.registry.demo.writer import REGISTRY_MODELS
    from gongfang.registry.models import Region

    return {m._meta.db_table: m.objects.count() for m in (Region, *REGISTRY_MODELS, User)}


def floor(args: argparse.Namespace, baseline: Path, connection) -> tuple[float, int]:
    """Insert the same rows with executemany into a copy of the migrated database; time it."""
    from gongfang.accounts.models import User
    from gongfang.registry.demo.builder import build_plan
    from gongfang.registry.demo.profiles import default_anchor, part_specs
    from gongfang.registry.demo.writer import RecordingSink, write_plan
    from gongfang.registry.models import Region
    from gongfang.registry.regions_loader import read_regions

    specs = part_specs(args.profile)
    sink = RecordingSink()
    region_rows = read_regions(specs[0].code[:2])
    region_id = {r.code: i for i, r in enumerate(region_rows, start=1)}
    sink.objects[Region] = [
        Region(
            pk=region_id[r.code],
            code=r.code,
            name=r.name,
            level=r.level,
            parent_id=region_id[r.parent_code] if r.parent_code else None,
            path=r.path,
        )
        for r in region_rows
    ]
    anchor = default_anchor()
    for spec in specs:
        write_plan(build_plan(spec, seed=args.seed, anchor=anchor), regions=region_id, sink=sink)
    sink.objects[User] = list(User.objects.all())

    statements = []
    for model, objs in sink.objects.items():
        fields = model._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join("?" for _ in fields)
        sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"
        values = [
            tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
            for obj in objs
        ]
        statements.append((sql, values))
    connection.close()

    raw = sqlite3.connect(baseline, isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    raw.execute("BEGIN")
    for sql, values in statements:
        raw.executemany(sql, values)
    raw.execute("COMMIT")
    seconds = time.perf_counter() - started
    raw.close()
    return seconds, sum(len(v) for _, v in statements)


if __name__ == "__main__":
    sys.exit(main())
