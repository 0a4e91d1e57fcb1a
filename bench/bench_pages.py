"""Server time and SQL queries of the room list and the dashboard on the zaozhuang demo city.

Usage: .venv/bin/python bench/bench_pages.py [--db /tmp/gongfang-bench-pages.sqlite3] [--reuse]

Builds the demo city into a fresh SQLite file (or reuses one), then, as the 枣庄市 bureau
account, requests each page 50 times through Django's test client (the whole server path:
middleware, queries, templates) and prints the median and p95 in milliseconds against the
150 ms target, and the number of SQL queries at several page sizes (it must not grow with the
page size).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 150.0
REQUESTS = 50


def setup(db: Path, reuse: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongfang.settings")
    os.environ["DEBUG"] = "0"
    import django

    if not reuse and db.exists():
        db.unlink()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gongfang.registry.models import Room

    if not Room.objects.exists():
        started = time.perf_counter()
        call_command("load_demo", profile="zaozhuang", verbosity=0, stdout=io.StringIO())
        print(f"demo city built in {time.perf_counter() - started:.1f} s")


def measure(client, url: str) -> list[float]:
    client.get(url)  # warm caches (templates, content types)
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("/tmp/gongfang-bench-pages.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="keep an existing demo database")
    args = parser.parse_args()
    setup(args.db, args.reuse)

    from django.test import Client
    from django.urls import reverse

    from gongfang.accounts.models import User
    from gongfang.accounts.testing import complete_login
    from gongfang.registry.models import Room

    user = User.objects.get(username="zz_bureau")
    client = Client()
    client.force_login(user)
    complete_login(client, user)  # past the second factor, as after a real login
    rooms = reverse("registry:room_list")
    pages = {
        "dashboard": reverse("home"),
        "room list": f"{rooms}?per_page=50",
        "room list, filtered": f"{rooms}?category=office&status=in_use&region=370481&per_page=50&page=3",
        "room list, search+sort": f"{rooms}?q=1&sort=-usable_area&per_page=50",
    }
    print(f"rooms in the database: {Room.objects.count():,}")
    print(f"{'page':<26}{'median ms':>10}{'p95 ms':>10}{'target':>9}  verdict")
    for name, url in pages.items():
        times = sorted(measure(client, url))
        median = statistics.median(times)
        p95 = times[int(len(times) * 0.95) - 1]
        verdict = "ok" if p95 < TARGET_MS else "OVER TARGET"
        print(f"{name:<26}{median:>10.1f}{p95:>10.1f}{TARGET_MS:>9.0f}  {verdict}")

    print("SQL queries per room-list page by page size (must not grow):")
    counts = {n: count_queries(client, f"{rooms}?per_page={n}") for n in (25, 50, 100, 250)}
    print("  " + ", ".join(f"{n} rows: {q} queries" for n, q in counts.items()))
    print(f"  dashboard: {count_queries(client, reverse('home'))} queries")
    if len(set(counts.values())) != 1:
        print("  QUERY COUNT GROWS WITH PAGE SIZE")
        sys.exit(1)


if __name__ == "__main__":
    main()
