"""Vehicles at the province profile's scale: the vehicle list (first page, filtered, sorted,
searched), the overview's charts and the dispatch boards with ~25,000 vehicles in one city.

Usage: .venv/bin/python bench/bench_vehicles.py [--db /tmp/gongfang-bench-vehicles.sqlite3]
                                                [--reuse] [--vehicles 25000] [--trips 0.2]
                                                [--days 30] [--requests 30]

Builds the zaozhuang demo city (with its fleet, the vehicles' demo part) into a fresh SQLite file
(``--reuse`` keeps an existing one), then brings the fleet to ``--vehicles`` (the size of
Guangxi's platform, 24,811 vehicles) by copying the demo's vehicles in bulk across the city's
organizations, each copy with its own plate and VIN and its month of fuel records; and writes
dispatches: ``--trips`` per vehicle and day over the last ``--days`` days (returned, a few
cancelled or rejected) and today's and the coming days' (requested, approved, assigned,
departed). All vehicles lie in one city, so the 枣庄市 bureau's lists and board see every one of
them — the worst case of a province's bureau (a province account sees the same rows).

Then, as bench_pages does (the whole server path through Django's test client, signed in past
the second factor, pages measured interleaved), it prints each page's median and p95 server time
in milliseconds, its ratio to a bare authenticated page measured in the same run, and its SQL
queries. The goal (issue 9's page-speed rule): median at most ``TARGET_RATIO`` times the bare
page. The dispatch pages are measured when their URLs exist (``vehicles:dispatch_region_board``,
``dispatch_board``, ``dispatch_list``).
"""

from __future__ import annotations

import argparse
import datetime
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
BATCH = 5000


def fill_fleet(target: int) -> int:
    """Copy the demo's vehicles (with their month of fuel records) until the city has
    ``target``; returns how many were added."""
    from django.db import transaction

    from gongfang.registry.models import Organization
    from gongfang.vehicles.models import FuelRecord, Vehicle
    from gongfang.vehicles.validators import vin_check_digit

    missing = target - Vehicle.objects.count()
    if missing <= 0:
        return 0
    models = list(Vehicle.objects.order_by("pk"))
    if not models:
        raise SystemExit("the demo has no vehicle to copy: the vehicles' demo part did not run")
    organizations = list(
        Organization.objects.filter(status="active").order_by("pk").values_list("pk", "region")
    )
    fuel_by_vehicle: dict[int, list[FuelRecord]] = {}
    for record in FuelRecord.objects.order_by("pk"):
        fuel_by_vehicle.setdefault(record.vehicle_id, []).append(record)
    vehicle_fields = [f for f in Vehicle._meta.concrete_fields if not f.primary_key]
    fuel_fields = [
        f for f in FuelRecord._meta.concrete_fields if f.name not in ("id", "vehicle", "card")
    ]
    added = 0
    with transaction.atomic():
        while added < missing:
            batch = min(BATCH, missing - added)
            sources = [models[(added + i) % len(models)] for i in range(batch)]
            copies = []
            for i, source in enumerate(sources):
                n = added + i
                copy = Vehicle(**{f.attname: getattr(source, f.attname) for f in vehicle_fields})
                org, region = organizations[n % len(organizations)]
                copy.organization_id, copy.region_id = org, region
                # Plates of a bench series the demo does not use: 鲁E·Z0000 onwards.
                copy.plate = f"鲁{'EFGHJKLMNPQRSTU'[n // 10_000]}Z{n % 10_000:04d}"
                body = f"LBE{n % 100_000:05d}0S{n % 10}{n:06d}"[:17]
                copy.vin = body[:8] + vin_check_digit(body) + body[9:]
                copies.append(copy)
            Vehicle.objects.bulk_create(copies)
            fuel = []
            for source, copy in zip(sources, copies, strict=True):
                for record in fuel_by_vehicle.get(source.pk, ()):
                    row = FuelRecord(**{f.attname: getattr(record, f.attname) for f in fuel_fields})
                    row.vehicle_id = copy.pk
                    fuel.append(row)
            FuelRecord.objects.bulk_create(fuel, batch_size=BATCH)
            added += batch
    return added


def fill_dispatches(per_day: float, days: int) -> int:
    """Dispatches of the fleet: the past ``days`` days returned (a few cancelled or rejected),
    today's and the next days' waiting, approved, assigned or departed."""
    from django.db import transaction
    from django.utils import timezone

    from gongfang.accounts.models import User
    from gongfang.vehicles.models import Dispatch, Driver, Vehicle

    if Dispatch.objects.count() >= per_day * days * Vehicle.objects.count() * 0.9:
        return 0
    rng = random.Random(2026)
    requester = User.objects.get(username="unit_admin")
    approver = User.objects.get(username="zz_bureau")
    drivers: dict[int, list[int]] = {}
    for pk, org in Driver.objects.values_list("pk", "organization"):
        drivers.setdefault(org, []).append(pk)
    vehicles = list(
        Vehicle.objects.filter(status="in_use").values_list(
            "pk", "organization", "region", "mileage"
        )
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = []
    total = 0
    future_states = ("requested", "approved", "assigned", "departed")
    with transaction.atomic():
        for day in range(-days, 4):
            trips = int(len(vehicles) * per_day)
            for vehicle, org, region, mileage in rng.sample(vehicles, min(trips, len(vehicles))):
                start = now + datetime.timedelta(days=day, hours=rng.randint(-6, 6))
                end = start + datetime.timedelta(hours=rng.randint(1, 8))
                if day < 0:
                    state = rng.choices(("returned", "cancelled", "rejected"), (92, 5, 3))[0]
                else:
                    state = future_states[rng.randrange(4)] if day == 0 else "requested"
                holds = state in ("assigned", "departed", "returned")
                driver = rng.choice(drivers[org]) if holds and drivers.get(org) else None
                distance = rng.randint(8, 180)
                rows.append(
                    Dispatch(
                        organization_id=org,
                        region_id=region,
                        requested_by=requester,
                        purpose="公务外出：调研检查",
                        passengers=rng.randint(1, 4),
                        origin="机关大院",
                        destination=rng.choice(("市政务服务中心", "滕州市", "薛城区", "高铁站")),
                        start_at=start,
                        end_at=end,
                        state=state,
                        approved_by=approver if state not in ("requested", "cancelled") else None,
                        approved_at=start - datetime.timedelta(hours=20) if holds else None,
                        vehicle_id=vehicle if holds else None,
                        driver_id=driver,
                        assigned_at=start - datetime.timedelta(hours=2) if holds else None,
                        departed_at=start if state in ("departed", "returned") else None,
                        start_mileage=mileage - distance if state == "returned" else None,
                        end_mileage=mileage if state == "returned" else None,
                        returned_at=end if state == "returned" else None,
                    )
                )
                if len(rows) >= BATCH:
                    Dispatch.objects.bulk_create(rows)
                    total += len(rows)
                    rows = []
        Dispatch.objects.bulk_create(rows)
        total += len(rows)
    return total


def pages() -> dict[str, tuple[str, str]]:
    """name -> (account, URL); the dispatch pages when their URLs exist."""
    from django.urls import NoReverseMatch, reverse

    from gongfang.vehicles.models import Vehicle

    fleet = reverse("vehicles:vehicle_list")
    busiest = Vehicle.objects.order_by("-mileage", "pk").first()
    result = {
        BARE: ("zz_bureau", "/bench/bare/"),
        "vehicle list": ("zz_bureau", f"{fleet}?per_page=50"),
        "vehicle list, filtered": (
            "zz_bureau",
            f"{fleet}?category=law_enforcement&energy=petrol&status=in_use&per_page=50&page=3",
        ),
        "vehicle list, sorted": ("zz_bureau", f"{fleet}?sort=-bought_on&per_page=50"),
        "vehicle list, search": ("zz_bureau", f"{fleet}?q=鲁DA1&per_page=50"),
        "vehicle list, org+year": (
            "zz_bureau",
            f"{fleet}?unit={busiest.organization_id}&bought_year={busiest.bought_on.year}",
        ),
        "vehicle detail": ("zz_bureau", busiest.get_absolute_url()),
        "overview (3 charts)": ("zz_bureau", reverse("vehicles:overview")),
        "new-energy share": ("zz_bureau", reverse("vehicles:new_energy")),
        "running costs": ("zz_bureau", reverse("vehicles:costs")),
        "API vehicle list": ("zz_bureau", reverse("api:vehicles:vehicle-list")),
    }
    for name, url_name, who in (
        ("dispatch board (bureau)", "vehicles:dispatch_region_board", "zz_bureau"),
        ("dispatch list (bureau)", "vehicles:dispatch_list", "zz_bureau"),
        ("dispatch board (unit)", "vehicles:dispatch_board", "unit_admin"),
    ):
        try:
            result[name] = (who, reverse(url_name))
        except NoReverseMatch:
            print(f"({name}: no URL {url_name} in this tree, not measured)")
    result["bare page (unit)"] = ("unit_admin", "/bench/bare/")
    return result


def bench(requests: int) -> list[str]:
    from django.conf import settings
    from django.test import Client
    from django.urls import clear_url_caches

    from gongfang.accounts.models import User
    from gongfang.accounts.testing import complete_login
    from gongfang.vehicles.models import Dispatch, Vehicle

    settings.ROOT_URLCONF = bare_urlconf()
    clear_url_caches()
    clients = {}
    for username in ("zz_bureau", "unit_admin"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        complete_login(client, user)
        clients[username] = client
    urls = pages()
    for who, url in urls.values():
        for _ in range(3):
            timed_get(clients[who], url)
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(requests):
        for name, (who, url) in urls.items():
            times[name].append(timed_get(clients[who], url)[0])
    queries = {name: count_queries(clients[who], url) for name, (who, url) in urls.items()}

    print(
        f"vehicles: {Vehicle.objects.count():,} (all in 枣庄市); dispatches: "
        f"{Dispatch.objects.count():,}"
    )
    print(f"{requests} requests per page; target: median ≤ {TARGET_RATIO:.0f}× the bare page")
    print(f"{'page':<28}{'median ms':>10}{'p95 ms':>9}{'ratio':>8}{'queries':>9}  verdict")
    floors = {
        "zz_bureau": statistics.median(times[BARE]),
        "unit_admin": statistics.median(times["bare page (unit)"]),
    }
    missed = []
    for name, (who, _url) in urls.items():
        median = statistics.median(times[name])
        ratio = median / floors[who]
        bare = name in (BARE, "bare page (unit)")
        verdict = "" if bare else ("PASS" if ratio <= TARGET_RATIO else "MISS")
        if verdict == "MISS":
            missed.append(name)
        print(
            f"{name:<28}{median:>10.1f}{p95(times[name]):>9.1f}{ratio:>7.1f}×"
            f"{queries[name]:>9}  {verdict}"
        )
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("/tmp/gongfang-bench-vehicles.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    parser.add_argument("--vehicles", type=int, default=25_000)
    parser.add_argument("--trips", type=float, default=0.2, help="dispatches per vehicle and day")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    setup(args.db, args.reuse)
    started = time.perf_counter()
    added = fill_fleet(args.vehicles)
    trips = fill_dispatches(args.trips, args.days)
    # The bulk copies change the tables' shape: statistics again, as the demo load leaves them.
    from gongfang.vehicles.demo_part import refresh_statistics

    refresh_statistics()
    print(
        f"added {added:,} vehicles and {trips:,} dispatches in "
        f"{time.perf_counter() - started:.1f} s"
    )
    missed = bench(args.requests)
    if missed:
        print("MISSED: " + ", ".join(missed))
        sys.exit(1)


if __name__ == "__main__":
    main()
