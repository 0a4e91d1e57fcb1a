"""智能地图: the compounds of the account's scope on the offline map, coloured by open warnings.

Reads only (a selector module): one query for the compounds, two grouped queries for the warnings
(on a room of the compound, on a building of it), merged here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.urls import reverse

from ..compliance.models import ACTIVE_STATES, Warning
from ..framework import maps
from .choices import RegionLevel
from .models import Compound

# Open warnings → colour (the legend reads the same thresholds).
NO_WARNING = "#2fb344"
SOME_WARNINGS = "#f59f00"
MANY_WARNINGS = "#d63939"
UNKNOWN = "#667382"  # the account does not read warnings
MANY = 3
MAX_LABELS = 30


@dataclass(frozen=True)
class MapCompound:
    pk: int
    name: str
    region: str
    lat: float
    lng: float
    warnings: int | None
    county: str = ""
    city: str = ""


def warning_color(count: int | None) -> str:
    if count is None:
        return UNKNOWN
    if count == 0:
        return NO_WARNING
    return MANY_WARNINGS if count >= MANY else SOME_WARNINGS


def open_warnings_by_compound(user, compound_ids: list[int] | None = None) -> dict[int, int] | None:
    """Active warnings the account can see, per compound (None: the account reads no warnings)."""
    if not user.has_model_perm(Warning, "view"):
        return None
    active = Warning.objects.restrict(user).filter(state__in=ACTIVE_STATES)
    counts: dict[int, int] = defaultdict(int)
    for path in ("room__floor__building__compound", "building__compound"):
        rows = active.filter(**{f"{path}__isnull": False})
        if compound_ids is not None:
            rows = rows.filter(**{f"{path}__in": compound_ids})
        for row in rows.values(path).annotate(n=Count("pk")).order_by():
            counts[row[path]] += row["n"]
    return counts


def compounds(user) -> list[MapCompound]:
    rows = (
        Compound.objects.restrict(user)
        .filter(lat__isnull=False, lng__isnull=False)
        .values_list(
            "pk",
            "name",
            "region__name",
            "lat",
            "lng",
            "region__level",
            "region__parent__name",
            "region__parent__parent__name",
        )
        .order_by("region__code", "name")
    )
    rows = list(rows)
    counts = open_warnings_by_compound(user)
    return [
        MapCompound(
            pk=pk,
            name=name,
            region=region,
            lat=float(lat),
            lng=float(lng),
            warnings=None if counts is None else counts.get(pk, 0),
            # A compound sits in a township or a county; labels go one level up or two.
            county=parent if level == RegionLevel.TOWNSHIP else region,
            city=grandparent if level == RegionLevel.TOWNSHIP else (parent or region),
        )
        for pk, name, region, lat, lng, level, parent, grandparent in rows
    ]


def region_labels(items: list[MapCompound]) -> list[dict[str, Any]]:
    """A label per county (per city when there are many counties) at the middle of its compounds:
    no boundary data set is packaged, so the names place the points."""
    by_region: dict[str, list[MapCompound]] = defaultdict(list)
    for item in items:
        by_region[item.county or item.region].append(item)
    if len(by_region) > MAX_LABELS:
        by_region = defaultdict(list)
        for item in items:
            by_region[item.city or item.county or item.region].append(item)
    return [
        {
            "text": region,
            "lat": sum(c.lat for c in members) / len(members),
            "lng": sum(c.lng for c in members) / len(members),
        }
        for region, members in by_region.items()
    ]


def legend(reads_warnings: bool) -> list[dict[str, str]]:
    if not reads_warnings:
        return [{"color": UNKNOWN, "label": "院落"}]
    return [
        {"color": NO_WARNING, "label": "无待办预警"},
        {"color": SOME_WARNINGS, "label": f"1–{MANY - 1} 条预警"},
        {"color": MANY_WARNINGS, "label": f"{MANY} 条及以上预警"},
    ]


def _url_pattern(view_name: str) -> str:
    marker = 987654321
    return reverse(view_name, args=[marker]).replace(str(marker), "{}")


def map_page(user) -> dict[str, Any]:
    items = compounds(user)
    reads_warnings = bool(items) and items[0].warnings is not None
    if not items:
        reads_warnings = user.has_model_perm(Warning, "view")
    # Thousands of points: each URL pattern reversed once.
    compound_url, card_url = (
        _url_pattern(v) for v in ("registry:compound", "registry:compound_card")
    )
    spec = {
        "points": [
            {
                "lat": c.lat,
                "lng": c.lng,
                "label": c.name if c.warnings is None else f"{c.name}（{c.warnings} 条预警）",
                "color": warning_color(c.warnings),
                "rank": c.warnings or 0,
                "url": compound_url.format(c.pk),
                "card_url": card_url.format(c.pk),
            }
            for c in items
        ],
        "cluster": True,
        "tracks": [],
        "labels": region_labels(items),
        "boundaries": None,
        "legend": legend(reads_warnings),
        "bounds": None,
        "tiles": maps.tiles(),
    }
    ranked = sorted(items, key=lambda c: (-(c.warnings or 0), c.region, c.name))
    return {
        "spec": spec,
        "total": len(items),
        "with_warnings": sum(1 for c in items if c.warnings),
        "reads_warnings": reads_warnings,
        "top": ranked[:20],
    }
