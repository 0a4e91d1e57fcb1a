"""Server time and SQL queries of the main pages on the zaozhuang demo city, against a bare page.

Usage: .venv/bin/python bench/bench_pages.py [--db /tmp/gongfang-bench-pages.sqlite3] [--reuse]
                                             [--requests 60] [--only NAME]

Builds the demo city into a fresh SQLite file (``--reuse`` keeps an existing one), then, as the
枣庄市 bureau account past its second factor, requests each page through Django's test client
(the whole server path: every middleware, the session, queries, templates) and prints its median
and p95 in milliseconds, its ratio to a bare authenticated page measured in the same run (the
base layout with no data behind every middleware: the floor of any page) and its SQL queries.
The goal (issue 9): every page's median at most ``TARGET_RATIO`` times the bare page's (the
verdict; the CPU time of the request's thread, steadier when others share the machine, is shown
beside it).
Pages are measured interleaved, so a slower moment of the machine weighs on all of them alike.
Figures, counts and filter forms are cached until the next write (``framework.caching``);
``--cold`` empties the cache before every request to show the page as after a write.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 10.0
BARE = "bare page"


def setup(db: Path, reuse: bool, profile: str = "zaozhuang") -> None:
    """The demo of ``profile`` in a SQLite file, built unless ``reuse`` finds one there (every
    page benchmark starts from it)."""
    sys.path.insert(0, str(ROOT))
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
        started = time.perf_counter()
        call_command("load_demo", profile=profile, verbosity=0, stdout=io.StringIO())
        print(f"演示数据（{profile}）生成 {time.perf_counter() - started:.1f} 秒")


def bare_urlconf() -> types.ModuleType:
    """The site's URLs plus ``/bench/bare/``: the base layout, signed in, with no data."""
    from django.contrib.auth.decorators import login_required
    from django.shortcuts import render
    from django.urls import include, path

    @login_required
    def bare(request):
        return render(request, "base.html", {})

    module = types.ModuleType("bench_pages_urls")
    module.urlpatterns = [path("bench/bare/", bare), path("", include("gongfang.urls"))]
    return module


def pages() -> dict[str, str]:
    from django.db.models import Count
    from django.urls import reverse

    from gongfang.registry.models import Building, Room

    rooms = reverse("registry:room_list")
    # The detail pages of the busiest building (its related lists are the longest) and of a room.
    building = Building.objects.annotate(n=Count("floors__rooms")).order_by("-n", "pk").first()
    room = Room.objects.filter(floor__building=building).order_by("pk").first()
    return {
        BARE: "/bench/bare/",
        "dashboard": reverse("home"),
        "room list": f"{rooms}?per_page=50",
        "room list, filtered": (
            f"{rooms}?category=office&status=in_use&region=370481&per_page=50&page=3"
        ),
        "room list, search+sort": f"{rooms}?q=1&sort=-usable_area&per_page=50",
        "person list": reverse("registry:person_list") + "?per_page=50",
        "room detail": room.get_absolute_url(),
        "building detail": building.get_absolute_url(),
        "warning centre": reverse("compliance:warning_list"),
        "API room list": reverse("api:registry:room-list"),
    }


def timed_get(client, url: str) -> tuple[float, float]:
    """Wall and CPU milliseconds of one request (CPU time is steadier on a shared machine)."""
    started, cpu = time.perf_counter(), time.thread_time()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def count_queries(client, url: str) -> int:
    """The page's SQL queries as measured: its cached figures already in the cache."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, round(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("/tmp/gongfang-bench-pages.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="keep an existing demo database")
    parser.add_argument("--requests", type=int, default=60, help="requests per page")
    parser.add_argument("--only", help="measure only the pages whose name contains this")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="empty the cache before every request (as the first request after a write)",
    )
    args = parser.parse_args()
    setup(args.db, args.reuse)

    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.urls import clear_url_caches

    from gongfang.accounts.models import User
    from gongfang.accounts.testing import complete_login
    from gongfang.registry.models import Person, Room

    settings.ROOT_URLCONF = bare_urlconf()
    clear_url_caches()
    user = User.objects.get(username="zz_bureau")
    client = Client()
    client.force_login(user)
    complete_login(client, user)  # past the second factor, as after a real login
    urls = pages()
    if args.only:
        urls = {k: v for k, v in urls.items() if k == BARE or args.only in k}

    for url in urls.values():  # warm every cache (templates, content types, URL resolvers)
        for _ in range(3):
            timed_get(client, url)
    times: dict[str, list[float]] = {name: [] for name in urls}
    cpu: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(args.requests):
        for name, url in urls.items():
            if args.cold:
                cache.clear()  # not timed
            wall, used = timed_get(client, url)
            times[name].append(wall)
            cpu[name].append(used)
    queries = {name: count_queries(client, url) for name, url in urls.items()}

    print(f"zaozhuang demo: {Room.objects.count():,} rooms, {Person.objects.count():,} persons")
    state = "cache emptied before every request" if args.cold else "cached figures in place"
    print(
        f"{args.requests} requests per page ({state}); "
        f"target: median ≤ {TARGET_RATIO:.0f}× the bare page"
    )
    print(
        f"{'page':<26}{'median ms':>10}{'p95 ms':>9}{'ratio':>8}"
        f"{'CPU ms':>8}{'CPU ratio':>10}{'queries':>9}  verdict"
    )
    floor = statistics.median(times[BARE])
    cpu_floor = statistics.median(cpu[BARE])
    missed = []
    for name in urls:
        median = statistics.median(times[name])
        ratio = median / floor
        verdict = "" if name == BARE else ("PASS" if ratio <= TARGET_RATIO else "MISS")
        if verdict == "MISS":
            missed.append(name)
        used = statistics.median(cpu[name])
        print(
            f"{name:<26}{median:>10.1f}{p95(times[name]):>9.1f}{ratio:>7.1f}×"
            f"{used:>8.1f}{used / cpu_floor:>9.1f}×{queries[name]:>9}  {verdict}"
        )

    rooms = urls.get("room list")
    if rooms:
        base = rooms.split("?")[0]
        counts = {n: count_queries(client, f"{base}?per_page={n}") for n in (25, 50, 100, 250)}
        print(
            "room-list queries by page size (must not grow): "
            + ", ".join(f"{n} rows: {q}" for n, q in counts.items())
        )
        if len(set(counts.values())) != 1:
            missed.append("room-list queries grow with the page size")
    print("all pages within the target" if not missed else "MISSED: " + "; ".join(missed))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
