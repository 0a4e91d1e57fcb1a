"""一图展示: server time of the floor plan of a 200-room floor (and its SVG's size) and of the
智能地图 with every compound of the province profile, against a bare page.

Usage: .venv/bin/python bench/bench_floorplan.py [--db /tmp/gongfang-bench-floorplan.sqlite3]
                                                 [--reuse] [--requests 30]

The province profile's registry plans are built in memory (``build_plan``, every part, the demo's
seed); only what the pages read is written: organizations, compounds and buildings, plus one
floor of 200 rooms with generated geometry (the demo's layout), occupants for half of them and
over-standard warnings on some, and open warnings on a fifth of the compounds' buildings. Then,
as the province bureau account past its second factor, each page is requested through Django's
test client (every middleware, the session, the queries, the templates) and its median and p95
are printed with the ratio to a bare page (base layout, no data) measured in the same run.
Target: the plan and the map each at most ``TARGET_RATIO`` times the bare page.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench_pages import bare_urlconf, p95  # the same bare page and percentile as the page bench

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 10.0
ROOMS = 200
BARE = "bare page"


class CompoundsOnlySink:
    """Writes the rows the map reads (organizations, compounds, buildings); numbers the others
    without writing them, so ``write_plan`` runs unchanged."""

    def __init__(self, written: tuple) -> None:
        self.written = written
        self.next_id: dict = {}

    def create(self, model, objs) -> None:
        if model in self.written:
            model.objects.bulk_create(objs, batch_size=1000)
            return
        start = self.next_id.get(model, 1)
        for i, obj in enumerate(objs):
            obj.pk = start + i
        self.next_id[model] = start + len(objs)

    def update(self, model, objs, fields) -> None:
        if model in self.written:
            model.objects.bulk_update(objs, fields, batch_size=1000)


def setup(db: Path, reuse: bool) -> None:
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

    call_command("migrate", verbosity=0, stdout=io.StringIO())
    from gongfang.registry.models import Compound

    if not Compound.objects.exists():
        started = time.perf_counter()
        build_province()
        print(
            f"province compounds and the 200-room floor written in {time.perf_counter() - started:.1f} s"
        )


def build_province() -> None:
    from django.db import transaction

    from gongfang.compliance.models import Rule, Subject, Warning
    from gongfang.registry.demo.accounts import ensure_demo_accounts
    from gongfang.registry.demo.builder import build_plan
    from gongfang.registry.demo.profiles import default_anchor, part_specs, region_codes
    from gongfang.registry.demo.writer import region_ids, write_plan
    from gongfang.registry.models import (
        Building,
        Compound,
        Floor,
        Occupancy,
        Organization,
        Person,
        Room,
    )
    from gongfang.registry.regions_loader import load_regions
    from gongfang.survey.drawings.samples import office_floor_layout

    specs = part_specs("province")
    load_regions(province=specs[0].code[:2])
    regions = region_ids(region_codes(specs))
    sink = CompoundsOnlySink((Organization, Compound, Building))
    for spec in specs:
        with transaction.atomic():
            write_plan(
                build_plan(spec, seed=2026, anchor=default_anchor()), regions=regions, sink=sink
            )
    ensure_demo_accounts("province")

    rng = random.Random(2026)
    building = Building.objects.select_related("compound").order_by("pk").first()
    org = building.compound.owner_org
    floor = Floor.objects.create(building=building, number=3)
    specs_200 = [
        (f"3{i:02d}", "办公室", Decimal(rng.randint(1200, 4800)) / 100) for i in range(1, ROOMS + 1)
    ]
    layout = office_floor_layout(specs_200)
    rooms = Room.objects.bulk_create(
        Room(
            floor=floor,
            number=number,
            name=name,
            category="office",
            subtype="一般工作人员办公室",
            usable_area=area,
            organization=org,
            status="in_use",
            geometry=layout[number],
        )
        for number, name, area in specs_200
    )
    people = Person.objects.bulk_create(
        Person(organization=org, number=f"B{i:04d}", name=f"测试人员{i}") for i in range(ROOMS)
    )
    Occupancy.objects.bulk_create(
        Occupancy(person=p, room=r, started_on="2024-01-01")
        for p, r in zip(people, rooms[: ROOMS // 2] * 2, strict=False)
    )
    region = building.compound.region
    warnings = [
        Warning(
            rule=Rule.R1,
            key=f"R1:room:{r.pk}",
            subject=Subject.ROOM,
            region=region,
            organization=org,
            room=r,
            subject_label=r.number,
            summary="超标",
            excess_area=Decimal("3.20"),
        )
        for r in rooms[::10]
    ]
    for b in Building.objects.select_related("compound").order_by("pk")[::5]:
        warnings.append(
            Warning(
                rule=Rule.R9,
                key=f"R9:building:{b.pk}",
                subject=Subject.BUILDING,
                region=b.compound.region,
                organization=b.compound.owner_org,
                building=b,
                subject_label=b.name,
                summary="数据质量",
            )
        )
    Warning.objects.bulk_create(warnings, batch_size=1000)


def timed_get(client, url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, response.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("/tmp/gongfang-bench-floorplan.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    args = parser.parse_args()
    setup(args.db, args.reuse)

    from django.conf import settings
    from django.db.models import Count
    from django.test import Client
    from django.urls import clear_url_caches, reverse

    from gongfang.accounts.models import User
    from gongfang.accounts.testing import complete_login
    from gongfang.registry.models import Compound, Floor

    settings.ROOT_URLCONF = bare_urlconf()
    clear_url_caches()
    user = User.objects.get(username="sd_bureau")
    client = Client()
    client.force_login(user)
    complete_login(client, user)
    floor = Floor.objects.annotate(n=Count("rooms")).order_by("-n").first()
    urls = {
        BARE: "/bench/bare/",
        f"floor plan ({floor.n} rooms)": floor.get_absolute_url(),
        "building stack": floor.building.get_absolute_url(),
        f"map ({Compound.objects.count():,} compounds)": reverse("registry:map"),
    }
    for url in urls.values():
        for _ in range(2):
            timed_get(client, url)
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(args.requests):
        for name, url in urls.items():
            times[name].append(timed_get(client, url)[0])

    # WeasyPrint is slow and not held to the target: a few requests, for reference.
    pdf_url = reverse("registry:floor_plan_pdf", args=[floor.pk])
    times["floor plan PDF"] = [timed_get(client, pdf_url)[0] for _ in range(3)]
    page = timed_get(client, urls[f"floor plan ({floor.n} rooms)"])[1].decode()
    svg = re.search(r"<svg[^>]*data-plan-svg.*?</svg>", page, re.S).group(0)
    map_page = timed_get(client, reverse("registry:map"))[1]
    floor_time = statistics.median(times[BARE])
    print(f"{args.requests} requests per page; target: median ≤ {TARGET_RATIO:.0f}× the bare page")
    print(f"{'page':<30}{'median ms':>10}{'p95 ms':>9}{'ratio':>8}  verdict")
    missed = []
    for name, values in times.items():
        median = statistics.median(values)
        ratio = median / floor_time
        verdict = ""
        if name != BARE and "PDF" not in name:
            verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
        if verdict == "MISS":
            missed.append(name)
        print(f"{name:<30}{median:>10.1f}{p95(values):>9.1f}{ratio:>7.1f}×  {verdict}")
    print(
        f"floor plan SVG: {len(svg.encode()) / 1024:.0f} KiB for {floor.n} rooms "
        f"({len(svg.encode()) / floor.n:.0f} bytes a room); map page {len(map_page) / 1024:.0f} KiB"
    )
    print("(the PDF is WeasyPrint, shown for reference, not held to the target)")
    print("all pages within the target" if not missed else "MISSED: " + "; ".join(missed))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
