"""The room list as of a past date (截至日期): read-only, from the change log (``registry.asof``),
with its figures and a CSV export; the room API answers the same with ``?as_of=``."""

from __future__ import annotations

import csv
import datetime
import io
from collections import Counter
from decimal import Decimal
from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views import View

from ..framework import clock
from ..framework.spreadsheets import defuse
from ..framework.text import is_number
from ..framework.views.generic import ModelReadersMixin
from .asof import end_of_day, rows_as_of
from .choices import RoomCategory, RoomStatus
from .models import Floor, Organization, Region, Room

FIELDS = [
    "floor",
    "number",
    "name",
    "category",
    "subtype",
    "usable_area",
    "building_area",
    "organization",
    "status",
]
REGION_PATH = "floor__building__compound__region__path__startswith"
ORGANIZATION_PATH = "organization__path__startswith"


class AsOfQuery:
    """The date and filters of an as-of request, checked; ``errors`` in Chinese."""

    def __init__(self, user, params) -> None:
        self.user, self.errors = user, []
        self.filters: dict = {}
        raw = (params.get("as_of") or "").strip()
        try:
            self.day = datetime.date.fromisoformat(raw)
        except ValueError:
            self.day = None
            self.errors.append(
                f"截至日期“{raw}”无效，应为 YYYY-MM-DD。" if raw else "请填写截至日期。"
            )
        if self.day is not None and self.day > clock.today():
            self.errors.append("截至日期不能晚于今天。")
        region = getattr(user, "scope_region", None)
        org = getattr(user, "scope_organization", None)
        if region is not None:
            self.filters[REGION_PATH] = region.path
        elif org is not None:
            self.filters[ORGANIZATION_PATH] = org.path
        else:
            self.errors.append("账号没有管辖范围。")
        self.region = self.unit = None
        if code := (params.get("region") or "").strip():
            self.region = Region.objects.restrict(user, "view").filter(code=code).first()
            if self.region is None:
                self.errors.append(f"区划代码“{code}”不在管辖范围内。")
            else:
                self.filters[REGION_PATH] = self.region.path
        if raw_unit := (params.get("unit") or "").strip():
            if is_number(raw_unit):
                self.unit = Organization.objects.restrict(user, "view").filter(pk=int(raw_unit))
                self.unit = self.unit.first()
            if self.unit is None:
                self.errors.append("所选单位不存在或不在管辖范围内。")
            else:
                self.filters[ORGANIZATION_PATH] = self.unit.path
        self.category = params.get("category") or ""
        if self.category:
            if self.category not in RoomCategory.values:
                self.errors.append("用房类别无效。")
            else:
                self.filters["category"] = self.category
        self.status = params.get("status") or ""
        if self.status:
            if self.status not in RoomStatus.values:
                self.errors.append("使用状态无效。")
            else:
                self.filters["status"] = self.status

    def rows(self) -> list[dict]:
        if self.errors:
            return []
        return rows_as_of(
            Room,
            at=end_of_day(self.day),
            fields=FIELDS,
            filters=self.filters,
            queryset=Room.objects.restrict(self.user, "view"),
        )


def figures(rows: list[dict]) -> dict:
    total = sum((r["usable_area"] or Decimal(0) for r in rows), Decimal(0))
    by_category: Counter = Counter()
    areas: dict[str, Decimal] = {}
    for r in rows:
        by_category[r["category"]] += 1
        areas[r["category"]] = areas.get(r["category"], Decimal(0)) + (r["usable_area"] or 0)
    labels = dict(RoomCategory.choices)
    return {
        "count": len(rows),
        "usable_area": total,
        "categories": [
            (labels.get(c, c), by_category[c], areas[c])
            for c in RoomCategory.values
            if c in by_category
        ],
    }


def described(rows: list[dict]) -> list[dict]:
    """The rows with their floor, building, compound and organization named (as today): only
    for the rows shown (a page) or exported."""
    floors = {
        f.pk: f
        for f in Floor.objects.filter(pk__in={r["floor"] for r in rows}).select_related(
            "building__compound"
        )
    }
    orgs = dict(
        Organization.objects.filter(
            pk__in={r["organization"] for r in rows if r["organization"]}
        ).values_list("pk", "name")
    )
    categories, statuses = dict(RoomCategory.choices), dict(RoomStatus.choices)
    existing = set(Room.objects.filter(pk__in=[r["id"] for r in rows]).values_list("pk", flat=True))
    out = []
    for r in rows:
        floor = floors.get(r["floor"])
        out.append(
            {
                **r,
                "compound": floor.building.compound.name if floor else "—",
                "building": floor.building.name if floor else "—",
                "floor_label": floor.label if floor else "—",
                "floor_number": floor.number if floor else 0,
                "organization_name": orgs.get(r["organization"], "—"),
                "category_label": categories.get(r["category"], r["category"]),
                "status_label": statuses.get(r["status"], r["status"]),
                "exists": r["id"] in existing,
            }
        )
    return out


CSV_COLUMNS = (
    ("compound", "院落"),
    ("building", "楼座"),
    ("floor_label", "楼层"),
    ("number", "房间号"),
    ("name", "房间名称"),
    ("category_label", "用房类别"),
    ("subtype", "用途"),
    ("usable_area", "使用面积（m²）"),
    ("building_area", "建筑面积（m²）"),
    ("organization_name", "使用单位"),
    ("status_label", "使用状态"),
)


def csv_response(rows: list[dict], day: datetime.date) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for _key, label in CSV_COLUMNS])
    for r in rows:
        writer.writerow([defuse("" if r[key] is None else r[key]) for key, _label in CSV_COLUMNS])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    name = f"房间_截至{day:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


class RoomAsOfView(ModelReadersMixin, View):
    """``registry:room_list_asof``: the rooms as they were at the end of a past day."""

    reader_model = Room

    def get(self, request):
        params = request.GET
        if "as_of" not in params:
            params = params.copy()
            params["as_of"] = (
                f"{clock.today().replace(month=1, day=1) - datetime.timedelta(days=1)}"
            )
        query = AsOfQuery(request.user, params)
        rows = query.rows() if not query.errors else []
        # Building by building (floors are numbered as they are registered), room by room.
        rows.sort(key=lambda r: (r["floor"], r["number"]))
        if params.get("export") == "csv" and not query.errors:
            return csv_response(described(rows), query.day)
        page = Paginator(rows, 50).get_page(params.get("page"))
        page.object_list = described(list(page.object_list))
        keep = params.copy()
        keep.pop("page", None)
        return render(
            request,
            "registry/room_asof.html",
            {
                "query": query,
                "as_of": params.get("as_of", ""),
                "figures": figures(rows),
                "page": page,
                "keep": keep.urlencode(),
                "categories": RoomCategory.choices,
                "statuses": RoomStatus.choices,
            },
        )


def api_response(request):
    """The room API's answer to ``?as_of=`` (400 with the reasons when the query is wrong):
    the figures and the rows, ``offset``/``limit`` slicing them."""
    from rest_framework.response import Response

    query = AsOfQuery(request.user, request.query_params)
    if query.errors:
        return Response({"detail": "；".join(query.errors)}, status=400)
    rows = query.rows()
    offset, limit = request.query_params.get("offset", "0"), request.query_params.get("limit", "")
    start = int(offset) if is_number(offset) else 0
    end = start + int(limit) if is_number(limit) else None
    shown = figures(rows)
    return Response(
        {
            "as_of": f"{query.day}",
            "count": shown["count"],
            "usable_area": f"{shown['usable_area']:.2f}",
            "results": [
                {
                    **r,
                    "usable_area": None if r["usable_area"] is None else f"{r['usable_area']:.2f}",
                    "building_area": (
                        None if r["building_area"] is None else f"{r['building_area']:.2f}"
                    ),
                }
                for r in rows[start:end]
            ],
        }
    )
