"""The on-site phone checklist of the largest demo unit: server time and bytes transferred.

Usage: .venv/bin/python bench/bench_inspection_phone.py [--db /tmp/gongfang-bench-pages.sqlite3]
                                                         [--reuse] [--requests 40]

Builds the zaozhuang demo city (inspections included) as bench_pages does, or reuses it. The
inspected unit with the most rooms (its sub-units' rooms included: what the page lists) is the
one measured; the account is the demo supervisor (纪检监督), on the team. For each tab of the phone
page (checklist items, rooms, rooms searched by a number, people) it prints the median and p95
server time in milliseconds (the whole server path through Django's test client, as bench_pages)
and its SQL queries; then the bytes an empty-cache phone downloads: the HTML and every stylesheet
and script the page links, uncompressed and gzip-compressed (level 6, as a server sends it),
against the goal of 200 KB. The desktop inspection page (framework layout) is shown beside it
for comparison.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from bench_pages import count_queries, p95, setup, timed_get  # noqa: E402

GOAL_BYTES = 200 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def largest_inspection():

    from gongfang.inspections.models import Inspection
    from gongfang.registry.models import Room

    best, best_rooms = None, -1
    for inspection in Inspection.objects.select_related("organization"):
        rooms = Room.objects.filter(
            organization__path__startswith=inspection.organization.path
        ).count()
        if rooms > best_rooms:
            best, best_rooms = inspection, rooms
    return best, best_rooms


def asset_bytes(html: str) -> list[tuple[str, int, int]]:
    """(path, bytes, gzip bytes) of every stylesheet and script the page links."""
    from django.contrib.staticfiles import finders

    out = []
    for url in dict.fromkeys(ASSET.findall(html)):
        found = finders.find(url.removeprefix("/static/"))
        data = Path(found).read_bytes() if found else b""
        out.append((url, len(data), len(gzip.compress(data, compresslevel=6))))
    return out


def transfer(client, url: str) -> tuple[int, int, list[tuple[str, int, int]]]:
    html = client.get(url).content
    assets = asset_bytes(html.decode())
    raw = len(html) + sum(a[1] for a in assets)
    packed = len(gzip.compress(html, compresslevel=6)) + sum(a[2] for a in assets)
    return raw, packed, [("(HTML)", len(html), len(gzip.compress(html, compresslevel=6))), *assets]


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=Path("/tmp/gongfang-bench-pages.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="keep an existing demo database")
    parser.add_argument("--requests", type=int, default=40, help="requests per page")
    args = parser.parse_args()
    setup(args.db, args.reuse)

    from django.test import Client
    from django.urls import reverse

    from gongfang.accounts.models import User
    from gongfang.accounts.testing import complete_login

    inspection, rooms = largest_inspection()
    if inspection is None:
        sys.exit("no inspection in the database: build the demo with its inspections first")
    user = User.objects.get(username="supervisor")
    client = Client()
    client.force_login(user)
    complete_login(client, user)
    site = reverse("inspections:inspection_site", args=[inspection.pk])
    number = inspection.organization.rooms.values_list("number", flat=True).first() or "1"
    urls = {
        "checklist items": site,
        "rooms (first 30)": f"{site}?tab=rooms",
        f"rooms searched '{number}'": f"{site}?tab=rooms&q={number}",
        "people": f"{site}?tab=people",
        "desktop inspection page": inspection.get_absolute_url(),
    }
    print(f"unit: {inspection.organization} ({rooms} rooms), inspection #{inspection.pk}")
    for url in urls.values():
        for _ in range(3):
            timed_get(client, url)
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(args.requests):
        for name, url in urls.items():  # interleaved: a slow moment hits every page alike
            times[name].append(timed_get(client, url)[0])
    print(f"\n{'page':<30}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
    for name, url in urls.items():
        t = times[name]
        print(
            f"{name:<30}{statistics.median(t):>10.1f}{p95(t):>10.1f}{count_queries(client, url):>9}"
        )

    print(f"\nbytes without cached assets (goal {kb(GOAL_BYTES)}):")
    for name, url in urls.items():
        raw, packed, parts = transfer(client, url)
        verdict = "within" if packed <= GOAL_BYTES else "OVER"
        print(f"  {name}: {kb(raw)} uncompressed, {kb(packed)} gzip — {verdict} the goal (gzip)")
        if name in ("checklist items", "desktop inspection page"):
            for path, size, zipped in parts:
                print(f"      {path:<55}{kb(size):>10}{kb(zipped):>10}")


if __name__ == "__main__":
    main()
