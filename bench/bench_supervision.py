"""Supervision on a demo's month of trips: the anomaly scan of every closed trip, one trip judged
as it closes, and the pages — a vehicle-day played back, the fleet map, the overview, the
findings — against a bare page.

Usage: .venv/bin/python bench/bench_supervision.py [--profile small|zaozhuang|province]
                                                    [--db /tmp/gongfang-bench-supervision-<profile>.sqlite3]
                                                    [--reuse] [--requests 20] [--points 120]

Builds the demo (``load_demo --profile``, zaozhuang by default: what ``make demo`` builds) into a
fresh SQLite file (``--reuse`` keeps an existing one). Its trips are the terminals' demo month;
when that part wrote none, one trip per returned dispatch is written here (a route of
``--points`` points along the dispatch's time) plus a tenth as many trips with no dispatch, so
the scan has the month's volume to judge either way. It prints, in Chinese:

1. 全部行程扫描 — ``scan.scan_trips`` over every closed trip from an empty findings table: the
   trips scanned, the findings by rule (V1–V7) and the notes, the seconds, the SQL queries and
   the trips per second;
2. 单个行程扫描 — ``SINGLE`` trips judged one at a time, as the ``trip_closed`` signal does (a
   batch of one, its findings deleted first): the median and largest milliseconds and queries;
3. 页面 — as bench_pages does, each page's median and p95 server time (the vehicle-day playback
   among them), its ratio to the bare authenticated page (target ≤ ``TARGET_RATIO``) and its SQL
   queries; a page over the target is named and the bench exits 1.
"""

from __future__ import annotations

import argparse
import datetime
import math
import random
import statistics
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from bench_pages import BARE, bare_urlconf, count_queries, p95, setup, timed_get  # noqa: E402

TARGET_RATIO = 10.0
SINGLE = 20
LABELS = {
    BARE: "空白页面",
    "playback": "车辆一日轨迹回放",
    "fleet": "车辆分布地图",
    "overview": "用车监督概况",
    "anomalies": "用车异常列表",
}


def pad(text: str, columns: int, *, right: bool = False) -> str:
    """``text`` padded to ``columns`` terminal columns (a Chinese character takes two)."""
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    space = " " * max(columns - width, 1)
    return space + text if right else text + space


class QueryCounter:
    """Counts the SQL statements run while installed (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


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


def scan() -> None:
    """The whole month at once, then single trips as they close."""
    from django.db import connection
    from django.db.models import Count

    from gongfang.supervision.models import Anomaly, ScanNote
    from gongfang.supervision.rules import Rule
    from gongfang.supervision.scan import scan_trips
    from gongfang.terminals.models import Trip

    Anomaly.objects.all().delete()
    ScanNote.objects.all().delete()
    trips = list(Trip.objects.filter(closed=True).order_by("pk").only("pk"))
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        outcome = scan_trips(trips)
        seconds = time.perf_counter() - started
    by_rule = dict(
        Anomaly.objects.order_by().values("rule").annotate(n=Count("pk")).values_list("rule", "n")
    )
    print("全部行程扫描")
    print(
        f"  检查行程 {outcome.trips:,} 个，用时 {seconds:.2f} 秒，每秒 {outcome.trips / seconds:,.0f} 个"
    )
    print(f"  SQL 查询 {counter.n:,} 条（每个行程 {counter.n / max(outcome.trips, 1):.3f} 条）")
    print(f"  异常线索 {outcome.found:,} 条，未能判断 {outcome.noted:,} 条")
    for rule, label in Rule.choices:
        print(f"    {label}：{by_rule.get(rule, 0):,} 条")

    sample = trips[:: max(1, len(trips) // SINGLE)][:SINGLE]
    Anomaly.objects.filter(trip__in=sample).delete()
    ScanNote.objects.filter(trip__in=sample).delete()
    times, queries = [], []
    for trip in sample:
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            scan_trips([trip])
            times.append((time.perf_counter() - started) * 1000)
        queries.append(counter.n)
    print(f"单个行程扫描（行程结束时，{len(sample)} 个行程逐个检查）")
    print(
        f"  每个行程中位 {statistics.median(times):.1f} 毫秒，最长 {max(times):.1f} 毫秒；"
        f"SQL 查询中位 {statistics.median(queries):.0f} 条，最多 {max(queries)} 条"
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
        "playback": reverse("supervision:playback", args=[busiest["vehicle"]])
        + f"?day={day:%Y-%m-%d}",
        "fleet": reverse("supervision:fleet_map"),
        "overview": reverse("supervision:overview"),
        "anomalies": reverse("supervision:anomaly_list"),
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
    print(f"页面（每页请求 {requests} 次；目标：中位数不超过空白页面的 {TARGET_RATIO:.0f} 倍）")
    print(
        f"  {pad('页面', 18)}{pad('中位毫秒', 10, right=True)}{pad('p95毫秒', 10, right=True)}"
        f"{pad('倍数', 8, right=True)}{pad('SQL', 6, right=True)}  结论"
    )
    floor = statistics.median(times[BARE])
    missed = []
    for name in urls:
        median = statistics.median(times[name])
        ratio = median / floor
        verdict = "" if name == BARE else ("达标" if ratio <= TARGET_RATIO else "未达标")
        if verdict == "未达标":
            missed.append(LABELS[name])
        print(
            f"  {pad(LABELS[name], 18)}{median:>10.1f}{p95(times[name]):>10.1f}{ratio:>7.1f}×"
            f"{queries[name]:>6}  {verdict}"
        )
    playback = statistics.median(times["playback"])
    print(
        f"车辆一日轨迹回放：服务器时间中位 {playback:.1f} 毫秒，p95 {p95(times['playback']):.1f} 毫秒，"
        f"SQL 查询 {queries['playback']} 条"
    )
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--profile", default="zaozhuang", choices=["small", "zaozhuang", "province"]
    )
    parser.add_argument(
        "--db", type=Path, help="default /tmp/gongfang-bench-supervision-<profile>.sqlite3"
    )
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--points", type=int, default=120, help="route points of a written trip")
    args = parser.parse_args()
    db = args.db or Path(f"/tmp/gongfang-bench-supervision-{args.profile}.sqlite3")
    setup(db, args.reuse, args.profile)
    written = ensure_trips(args.points)
    if written:
        print(f"演示数据没有行程：按已还车的派车单写入 {written:,} 个行程")
    scan()
    missed = bench(args.requests)
    if missed:
        print("未达标：" + "、".join(missed))
        sys.exit(1)


if __name__ == "__main__":
    main()
