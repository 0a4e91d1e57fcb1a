"""Supervision on the demo city's month: the anomaly scan of every closed trip, and the pages —
a vehicle-day played back, the fleet map, the overview — against a bare page.

Usage: .venv/bin/python bench/bench_supervision.py [--db /tmp/gongfang-bench-supervision.sqlite3]
                                                    [--reuse] [--requests 20] [--points 120]

Builds the zaozhuang demo city into a fresh SQLite file (``--reuse`` keeps one). Its trips are
the terminals' demo month; when that part wrote none, one trip per returned dispatch is written
here (a route of ``--points`` points along the dispatch's time) plus a tenth as many trips with
no dispatch, so the scan has the month's volume to judge either way. The scan runs over every
closed trip from an empty findings table (seconds, trips per second, findings); then, as
bench_pages does, each page's median and p95 server time, its ratio to the bare authenticated
page (target ≤ ``TARGET_RATIO``) and its SQL queries.
"""

from __future__ import annotations

import argparse
import datetime
import math
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from bench_pages import BARE, bare_urlconf, count_queries, p95, setup, timed_get  # noqa: E402

TARGET_RATIO = 10.0


def ensure_trips(points: int) -> int:
    """Trips from the returned dispatches when the demo wrote none; returns how many written."""
    from gongfang.terminals.models import Trip
    from gongfang.vehicles.models import Dispatch

    if Trip.objects.filter(closed=True).exists():
        return 0
    rng = random.Random(7)
    rows = []
    dispatches = list(
        Dispatch.objects.filter(state="returned", vehicle__isnull=False).select_related(
            "vehicle__parking_compound"
        )
    )
    for i, d in enumerate(dispatches + dispatches[: len(dispatches) // 10]):
        shifted = i >= len(dispatches)  # the extra tenth: a day later, no dispatch covers it
        start = d.start_at + datetime.timedelta(days=1 if shifted else 0, minutes=5)
        end = (d.returned_at or d.end_at) + datetime.timedelta(days=1 if shifted else 0)
        if end <= start:
            end = start + datetime.timedelta(hours=1)
        compound = d.vehicle.parking_compound
        lat0 = float(compound.lat) if compound and compound.lat else 34.81
        lng0 = float(compound.lng) if compound and compound.lng else 117.32
        radius = rng.uniform(0.02, 0.12)
        span = (end - start).total_seconds()
        route = [
            [
                lat0 + radius * math.sin(math.pi * k / (points - 1)),
                lng0 + radius * (1 - math.cos(math.pi * k / (points - 1))) / 2,
                int(start.timestamp() + span * k / (points - 1)),
            ]
            for k in range(points)
        ]
        rows.append(
            Trip(
                vehicle_id=d.vehicle_id,
                start_at=start,
                end_at=end,
                start_lat=lat0,
                start_lng=lng0,
                end_lat=route[-1][0],
                end_lng=route[-1][1],
                distance_km=round(radius * 111 * 2.2, 1),
                duration_s=int(span),
                route=route,
                points=points,
                closed=True,
            )
        )
    Trip.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def scan() -> str:
    from django.db.models import Count

    from gongfang.supervision.models import Anomaly, ScanNote
    from gongfang.supervision.scan import scan_trips
    from gongfang.terminals.models import Trip

    Anomaly.objects.all().delete()
    ScanNote.objects.all().delete()
    trips = list(Trip.objects.filter(closed=True).only("pk"))
    started = time.perf_counter()
    outcome = scan_trips(trips)
    seconds = time.perf_counter() - started
    by_rule = dict(
        Anomaly.objects.order_by().values("rule").annotate(n=Count("pk")).values_list("rule", "n")
    )
    return (
        f"scan: {outcome.trips:,} trips in {seconds:.2f} s ({outcome.trips / seconds:,.0f} trips/s), "
        f"{outcome.found:,} findings {by_rule}, {outcome.noted:,} notes"
    )


def pages() -> dict[str, str]:
    from django.db.models import Count
    from django.urls import reverse

    from gongfang.supervision.rules import local
    from gongfang.terminals.models import Trip

    busiest = (
        Trip.objects.values("vehicle").annotate(n=Count("pk")).order_by("-n", "vehicle").first()
    )
    trip = Trip.objects.filter(vehicle=busiest["vehicle"]).order_by("start_at").first()
    day = local(trip.start_at).date()
    return {
        BARE: "/bench/bare/",
        "vehicle-day playback": reverse("supervision:playback", args=[busiest["vehicle"]])
        + f"?day={day:%Y-%m-%d}",
        "fleet map": reverse("supervision:fleet_map"),
        "overview": reverse("supervision:overview"),
        "anomaly list": reverse("supervision:anomaly_list"),
    }


def bench(requests: int) -> list[str]:
    from django.conf import settings
    from django.test import Client
    from django.urls import clear_url_caches

    from gongfang.accounts.models import User
    from gongfang.accounts.testing import complete_login

    settings.ROOT_URLCONF = bare_urlconf()
    clear_url_caches()
    user = User.objects.get(username="zz_bureau")
    client = Client()
    client.force_login(user)
    complete_login(client, user)
    urls = pages()
    for url in urls.values():
        for _ in range(3):
            timed_get(client, url)
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(requests):
        for name, url in urls.items():
            times[name].append(timed_get(client, url)[0])
    queries = {name: count_queries(client, url) for name, url in urls.items()}
    print(f"{requests} requests per page; target: median ≤ {TARGET_RATIO:.0f}× the bare page")
    print(f"{'page':<24}{'median ms':>10}{'p95 ms':>9}{'ratio':>8}{'queries':>9}  verdict")
    floor = statistics.median(times[BARE])
    missed = []
    for name in urls:
        median = statistics.median(times[name])
        ratio = median / floor
        verdict = "" if name == BARE else ("PASS" if ratio <= TARGET_RATIO else "MISS")
        if verdict == "MISS":
            missed.append(name)
        print(
            f"{name:<24}{median:>10.1f}{p95(times[name]):>9.1f}{ratio:>7.1f}×"
            f"{queries[name]:>9}  {verdict}"
        )
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("/tmp/gongfang-bench-supervision.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--points", type=int, default=120, help="route points of a written trip")
    args = parser.parse_args()
    setup(args.db, args.reuse)
    written = ensure_trips(args.points)
    if written:
        print(f"wrote {written:,} trips from the returned dispatches (the demo had none)")
    print(scan())
    missed = bench(args.requests)
    if missed:
        print("MISSED: " + ", ".join(missed))
        sys.exit(1)


if __name__ == "__main__":
    main()
