"""Time a whole city's ledger import: the demo city exported by gongfang, then imported into an
empty registry on SQLite, against the 30 s target and the hardware floor.

    .venv/bin/python bench/bench_import.py [--profile zaozhuang]

The import is timed as a user meets it: reading the .xlsx, checking every row, writing every
object and its change-log entry, re-running the compliance checks. The floor is the same
registry rows written by plain ``executemany`` INSERTs into the same (emptied) tables of the
same database in one transaction: what no importer on this machine can beat.
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
TARGET_SECONDS = 30.0
AIM_RATIO = 0.25


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="zaozhuang", choices=["small", "zaozhuang"])
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="gongfang-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongfang.settings"
    sys.path.insert(0, str(ROOT))
    try:
        return run(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Sum

    from gongfang.accounts.models import User
    from gongfang.framework.models import ObjectChange
    from gongfang.ledger.exporter import export_ledger
    from gongfang.ledger.importer import run_import
    from gongfang.ledger.reader import read_workbook
    from gongfang.ledger.specs import SHEETS
    from gongfang.registry.demo.writer import flush_registry
    from gongfang.registry.models import Room

    call_command("migrate", verbosity=0)
    call_command("load_demo", profile=args.profile, stdout=io.StringIO())
    bureau = User.objects.get(username="zz_bureau")

    def snapshot() -> tuple:
        counts = tuple(s.model.objects.count() for s in SHEETS)
        return counts, Room.objects.aggregate(s=Sum("usable_area"))["s"]

    before = snapshot()
    rows = sum(before[0])
    started = time.perf_counter()
    workbook = export_ledger(actor=bureau)
    export_seconds = time.perf_counter() - started
    dump = _dump_tables(connection, [s.model for s in SHEETS])

    flush_registry()
    changes_before = ObjectChange.objects.count()
    started = time.perf_counter()
    sheets = read_workbook("ledger.xlsx", io.BytesIO(workbook))
    read_seconds = time.perf_counter() - started
    result = run_import(actor=bureau, sheets=sheets, commit=True)
    import_seconds = time.perf_counter() - started
    identical = result.committed and snapshot() == before
    change_rows = ObjectChange.objects.count() - changes_before

    flush_registry()
    floor_seconds = _raw_insert(connection, transaction, dump)
    assert snapshot() == before, "the raw insert did not restore the same registry"

    print(f"bench_import: profile {args.profile}, SQLite {sqlite3.sqlite_version}")
    print(f"export (whole ledger, .xlsx): {export_seconds:.2f} s, {len(workbook) / 1e6:.1f} MB, "
          f"{rows:,} rows, {rows / export_seconds:,.0f} rows/s")  # fmt: skip
    print(f"import into the emptied registry: {import_seconds:.2f} s for {rows:,} rows "
          f"({rows / import_seconds:,.0f} rows/s): read {read_seconds:.2f} s, check + write "
          f"{import_seconds - read_seconds:.2f} s, {change_rows:,} change-log rows")  # fmt: skip
    print(f"identical registry after the round trip: {'yes' if identical else 'NO'}")
    verdict = "met" if import_seconds <= TARGET_SECONDS else "MISSED"
    print(f"target {TARGET_SECONDS:.0f} s: {verdict} ({import_seconds / TARGET_SECONDS:.0%})")
    ratio = floor_seconds / import_seconds
    print(f"floor (raw executemany, same rows, same tables): {floor_seconds:.2f} s, "
          f"{rows / floor_seconds:,.0f} rows/s")  # fmt: skip
    print(f"import speed / raw insert speed: {ratio:.3f} (aim {AIM_RATIO}); "
          f"import is {import_seconds / floor_seconds:.1f}x the floor")  # fmt: skip
    return 0 if identical and import_seconds <= TARGET_SECONDS else 1


def _dump_tables(connection, models) -> list[tuple[str, list[tuple]]]:
    """Each table's rows as INSERT statements with their values, parents before children."""
    statements = []
    for model in models:
        columns = [f.column for f in model._meta.concrete_fields]
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {names} FROM {table} ORDER BY id")
            values = cursor.fetchall()
        statements.append((f"INSERT INTO {table} ({names}) VALUES ({marks})", values))
    return statements


def _raw_insert(connection, transaction, statements) -> float:
    # Organizations refer to each other; checks are deferred to the commit as SQLite allows.
    connection.ensure_connection()
    raw = connection.connection
    started = time.perf_counter()
    with transaction.atomic():
        raw.execute("PRAGMA defer_foreign_keys = ON")
        for sql, values in statements:
            raw.executemany(sql, values)
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
