"""The registry as of a date one year back, at city scale, and the difference analysis over it.

Usage: .venv/bin/python bench/bench_asof.py [--db /tmp/gongfang-bench-asof.sqlite3] [--reuse]
                                            [--profile zaozhuang] [--edits 3000] [--requests 15]

Builds the demo (``load_demo --profile``, the city: ~17,000 rooms) into a fresh SQLite file, then
plants a year of registry work after the date, written as the services write it (rows changed
and the change log's before/after, in bulk): ``--edits`` room edits (areas corrected, rooms moved
to another organization of their region, categories changed, a third each), 100 rooms created
and 100 deleted. Then it prints:

- ``rows_as_of(Room)`` for every room of the city one year back against the plain query of
  today's rows (same fields): milliseconds and the ratio;
- the server time (median, p95, through Django's test client signed in as the city's bureau)
  of the as-of room list page (``/rooms/as-of/?as_of=``, its figures computed over all
  rooms) against today's room list (``/rooms/``), and the ratio;
- the difference analysis (``reporting.differences.analyse``) of the whole city between the two
  dates: seconds, rows and the area moved per cause.

Goal: the as-of list within ``TARGET_RATIO`` times today's list (it reads every room and the
year's log to figure the totals, today's list reads one page), and the city's difference
analysis under ``GOAL_SECONDS``.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from bench_pages import p95, setup, timed_get  # noqa: E402

TARGET_RATIO = 15.0
GOAL_SECONDS = 10.0


def plant_history(edits: int) -> int:
    """A year of edits after the date, as services leave them: rows and change-log entries."""
    from django.db import transaction

    from gongfang.framework.changelog import record_changes, serialize_object
    from gongfang.framework.models import ObjectChange
    from gongfang.registry.choices import RoomCategory
    from gongfang.registry.models import Organization, Room

    update, create, delete = (
        ObjectChange.Action.UPDATE,
        ObjectChange.Action.CREATE,
        ObjectChange.Action.DELETE,
    )
    rooms = list(
        Room.objects.filter(organization__isnull=False)
        .select_related("organization")
        .order_by("pk")[: edits + 200]
    )
    by_region: dict[int, list[int]] = {}
    for org_id, region_id in Organization.objects.values_list("pk", "region_id"):
        by_region.setdefault(region_id, []).append(org_id)
    changes = []
    with transaction.atomic():
        for i, room in enumerate(rooms[:edits]):
            before = serialize_object(room)
            if i % 3 == 0 and room.usable_area > 2:
                room.usable_area -= Decimal("1.00")
            elif i % 3 == 1:
                others = [
                    o for o in by_region[room.organization.region_id] if o != room.organization_id
                ]
                if not others:
                    continue
                room.organization_id = others[i % len(others)]
            else:
                room.category = (
                    RoomCategory.SERVICE
                    if room.category != RoomCategory.SERVICE
                    else RoomCategory.ANCILLARY
                )
                room.subtype = ""
            room.version += 1
            changes.append((room, update, before))
        Room.objects.bulk_update(
            [c[0] for c in changes],
            ["usable_area", "organization", "category", "subtype", "version"],
            batch_size=500,
        )
        gone = rooms[edits : edits + 100]
        for room in gone:
            changes.append((room, delete, serialize_object(room)))
        Room.objects.filter(pk__in=[r.pk for r in gone]).delete()
        template = rooms[edits + 100 : edits + 200]
        new = [
            Room(
                floor_id=r.floor_id,
                number=f"N{r.number}"[:20],
                category=r.category,
                usable_area=r.usable_area,
                organization_id=r.organization_id,
            )
            for r in template
        ]
        Room.objects.bulk_create(new)
        changes += [(r, create, None) for r in new]
        return record_changes(actor=None, changes=changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("/tmp/gongfang-bench-asof.sqlite3"))
    parser.add_argument("--profile", default="zaozhuang")
    parser.add_argument("--reuse", action="store_true", help="keep an existing demo database")
    parser.add_argument("--edits", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()
    setup(args.db, args.reuse, args.profile)

    from django.test import Client
    from django.utils import timezone

    from gongfang.accounts.models import User
    from gongfang.accounts.testing import complete_login
    from gongfang.framework import clock
    from gongfang.framework.models import ObjectChange
    from gongfang.registry.asof import end_of_day, rows_as_of
    from gongfang.registry.asof_views import FIELDS
    from gongfang.registry.models import Room
    from gongfang.reporting.differences import AREA, CAUSES, analyse

    day = clock.today() - datetime.timedelta(days=365)
    at = end_of_day(day)
    if (
        not args.reuse
        or not ObjectChange.objects.filter(changed_object_type__model="room").exists()
    ):
        started = time.perf_counter()
        logged = plant_history(args.edits)
        print(f"planted {logged} change-log entries in {time.perf_counter() - started:.1f} s")
    user = User.objects.get(username="zz_bureau")
    region = user.scope_region
    print(f"rooms today: {Room.objects.count()}, scope {region.name}, as of {day}")

    scope = {"floor__building__compound__region__path__startswith": region.path}
    plain, asof = [], []
    for _ in range(5):
        started = time.perf_counter()
        today_rows = list(
            Room.objects.filter(**scope).values_list(
                "pk", *[f"{f}_id" if f in ("floor", "organization") else f for f in FIELDS]
            )
        )
        plain.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        old_rows = rows_as_of(Room, at=at, fields=FIELDS, filters=scope)
        asof.append((time.perf_counter() - started) * 1000)
    changed = sum(
        1 for _ in ObjectChange.objects.filter(changed_object_type__model="room", time__gt=at)
    )
    print(
        f"rows_as_of: {len(old_rows)} rooms as of {day} ({changed} log entries after it) "
        f"{statistics.median(asof):.0f} ms; today's {len(today_rows)} rows {statistics.median(plain):.0f} ms; "
        f"ratio {statistics.median(asof) / statistics.median(plain):.1f}x"
    )

    client = Client()
    client.force_login(user)
    complete_login(client, user)
    urls = {
        "today's room list": "/rooms/",
        "as-of room list": f"/rooms/as-of/?as_of={day}",
    }
    for url in urls.values():
        for _ in range(2):
            timed_get(client, url)
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(args.requests):
        for name, url in urls.items():
            times[name].append(timed_get(client, url)[0])
    base = statistics.median(times["today's room list"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:20} median {median:7.0f} ms  p95 {p95(values):7.0f} ms  ratio {median / base:5.1f}x"
        )
    ratio = statistics.median(times["as-of room list"]) / base
    print(
        f"as-of list: {ratio:.1f}x today's list (target ≤ {TARGET_RATIO:.0f}x): {'OK' if ratio <= TARGET_RATIO else 'OVER'}"
    )

    started = time.perf_counter()
    analysis = analyse(scope=region, before=at, after=timezone.now())
    seconds = time.perf_counter() - started
    totals = analysis.totals()
    print(
        f"difference analysis of {region.name} ({len(analysis.units)} units): {seconds:.1f} s, "
        f"{len(analysis.rows)} rows; area by cause: "
        + "，".join(f"{c} {totals[c]:.2f}" for c in CAUSES)
        + f" (goal ≤ {GOAL_SECONDS:.0f} s: {'OK' if seconds <= GOAL_SECONDS else 'OVER'})"
    )
    assert all(
        r.delta == sum((t for _c, t, _o in r.by_cause), Decimal(0))
        for r in analysis.rows
        if r.field == AREA
    )


if __name__ == "__main__":
    main()
