"""Reads of the registry for pages: the dashboard, global search and each object's related lists.

Every read starts from ``Model.objects.restrict(user)``; figures are grouped in the database
(one aggregate query per model, whatever the number of regions), never counted in a loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    F,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode

from ..framework.caching import cached, scope_key
from .choices import RoomCategory, RoomStatus
from .filtersets import (
    BuildingFilterSet,
    CompoundFilterSet,
    OrganizationFilterSet,
    PersonFilterSet,
    RoomFilterSet,
)
from .models import (
    Building,
    Canteen,
    Compound,
    Floor,
    LeadershipQuota,
    Occupancy,
    Organization,
    ParkingLot,
    Person,
    Post,
    Region,
    Room,
)

ZERO = Decimal("0")


# Figures ------------------------------------------------------------------------------------------
@dataclass
class Figures:
    """The headline numbers of one part of a scope."""

    organizations: int = 0
    compounds: int = 0
    buildings: int = 0
    rooms: int = 0
    persons: int = 0
    building_usable_area: Decimal = ZERO
    building_area: Decimal = ZERO
    room_usable_area: Decimal = ZERO

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass
class BreakdownRow:
    key: str | None
    label: str
    figures: Figures
    url: str = ""  # the row's own page (an organization) or its drill-down on the dashboard
    list_query: str = ""  # query string that filters the list pages to this row
    note: str = ""


@dataclass
class Dashboard:
    mode: str  # "region", "organization" or "none"
    current: Region | Organization | None = None
    trail: list[tuple[str, str]] = field(default_factory=list)
    totals: Figures = field(default_factory=Figures)
    rows: list[BreakdownRow] = field(default_factory=list)
    child_label: str = ""
    categories: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    list_query: str = ""


# How each counted model leads to a region path and to an organization path.
REGION_PATHS = {
    Organization: "region__path",
    Compound: "region__path",
    Building: "compound__region__path",
    Room: "floor__building__compound__region__path",
    Person: "organization__region__path",
}
ORGANIZATION_PATHS = {
    Organization: "path",
    Compound: "owner_org__path",
    Building: "compound__owner_org__path",
    Room: "organization__path",
    Person: "organization__path",
}
COUNT_FIELDS = {
    Organization: "organizations",
    Compound: "compounds",
    Building: "buildings",
    Room: "rooms",
    Person: "persons",
}


def child_key(path: str | None, prefix: str) -> str | None:
    """The next segment of ``path`` after ``prefix``: the code (or id) of the child of the node
    ``prefix`` under which a row lies; ``""`` for rows on the node itself, None for rows outside
    it."""
    if path is None or not path.startswith(prefix):
        return None
    return path[len(prefix) :].split("/", 1)[0] if path != prefix else ""


def grouped_figures(
    user, paths: dict, prefix: str, *, subtree_only: bool = True
) -> dict[str | None, Figures]:
    """Figures per child of the node whose path is ``prefix``: one grouped query per model.

    Rows are grouped by the region or organization they hang on (a key, no join to its path),
    and the few groups are then put under their child of ``prefix`` here."""
    result: dict[str | None, Figures] = {}

    def bucket(key: str | None) -> Figures:
        return result.setdefault(key, Figures())

    for model, path_field in paths.items():
        node = path_field.removesuffix("path").removesuffix("__") or "pk"
        node_model = model
        for name in node.split("__") if node != "pk" else ():
            node_model = node_model._meta.get_field(name).related_model
        qs = model.objects.restrict(user)
        if subtree_only:
            subtree = node_model._base_manager.filter(path__startswith=prefix).values("pk")
            qs = qs.filter(**{f"{node}__in": subtree})
        aggregates: dict[str, Any] = {"n": Count("pk")}
        if model is Building:
            aggregates["usable"] = Sum("usable_area")
            aggregates["area"] = Sum("building_area")
        if model is Room:
            aggregates["usable"] = Sum("usable_area")
        rows = list(qs.values(node).annotate(**aggregates).order_by())
        node_paths = dict(
            node_model._base_manager.filter(pk__in={r[node] for r in rows}).values_list(
                "pk", "path"
            )
        )
        for row in rows:
            figures = bucket(child_key(node_paths.get(row[node]), prefix))
            setattr(figures, COUNT_FIELDS[model], getattr(figures, COUNT_FIELDS[model]) + row["n"])
            if model is Building:
                figures.building_usable_area += row["usable"] or ZERO
                figures.building_area += row["area"] or ZERO
            if model is Room:
                figures.room_usable_area += row["usable"] or ZERO
    return result


def dashboard(user, *, region_code: str | None = None, organization_id: str | None = None):
    """The dashboard of ``user``: totals of the scope (or of the region/organization drilled into,
    which must lie inside the scope, else ``LookupError``) and a breakdown by its children.

    Cached per scope and drill-down until the next write (``framework.caching``): its grouped
    queries read every room of the scope, several times the cost of any other page."""
    return cached(
        "dashboard",
        (*scope_key(user), region_code, organization_id),
        lambda: _dashboard(user, region_code=region_code, organization_id=organization_id),
    )


def _dashboard(user, *, region_code: str | None, organization_id: str | None) -> Dashboard:
    if organization_id:
        try:
            org = Organization.objects.restrict(user).get(pk=int(organization_id))
        except (Organization.DoesNotExist, ValueError, TypeError):
            raise LookupError(organization_id) from None
        return _organization_dashboard(user, org)
    if region_code:
        region = Region.objects.restrict(user).filter(code=region_code).first()
        if region is None or user.scope_region_id is None:
            raise LookupError(region_code)
        return _region_dashboard(user, region)
    if user.scope_region_id:
        return _region_dashboard(user, user.scope_region)
    if user.scope_organization_id:
        return _organization_dashboard(user, user.scope_organization)
    return Dashboard(mode="none")


def _dashboard_url(**params: str) -> str:
    return reverse("home") + ("?" + urlencode(params) if params else "")


def _region_dashboard(user, region: Region) -> Dashboard:
    scope = user.scope_region
    groups = grouped_figures(user, REGION_PATHS, region.path)
    children = list(Region.objects.restrict(user).filter(parent=region).order_by("code"))
    with_children = set(
        Region.objects.filter(parent__in=children).values_list("parent_id", flat=True).distinct()
    )
    rows = []
    own = groups.pop("", None)
    if own is not None and not own.is_empty:
        rows.append(
            BreakdownRow(
                key="",
                label=f"{region.name}本级",
                figures=own,
                note="直接登记在本区划的单位、院落",
            )
        )
    for child in children:
        rows.append(
            BreakdownRow(
                key=child.code,
                label=child.name,
                figures=groups.pop(child.code, Figures()),
                url=_dashboard_url(region=child.code) if child.pk in with_children else "",
                list_query=urlencode({"region": child.code}),
            )
        )
    for key, figures in groups.items():  # codes of regions not (or no longer) listed as children
        rows.append(BreakdownRow(key=key, label=f"其他（{key}）", figures=figures))
    trail = []
    if scope is not None:
        for ancestor in region.ancestors():
            if ancestor.path.startswith(scope.path):
                trail.append((ancestor.name, _dashboard_url(region=ancestor.code)))
    board = Dashboard(
        mode="region",
        current=region,
        trail=trail,
        rows=rows,
        child_label="下级区划",
        list_query=urlencode({"region": region.code}),
    )
    for row in rows:
        board.totals.add(row.figures)
    _room_summaries(
        board,
        Room.objects.restrict(user).filter(**{f"{REGION_PATHS[Room]}__startswith": region.path}),
    )
    return board


def _organization_dashboard(user, org: Organization) -> Dashboard:
    own_scope = user.scope_organization_id == org.pk
    groups = grouped_figures(user, ORGANIZATION_PATHS, org.path, subtree_only=not own_scope)
    children = list(Organization.objects.restrict(user).filter(parent=org).order_by("name"))
    rows = []
    own = groups.pop("", None) or Figures()
    rows.append(
        BreakdownRow(
            key="",
            label=f"{org.name}（本单位）",
            figures=own,
            url=org.get_absolute_url(),
            list_query=urlencode({"organization": org.pk}),
        )
    )
    for child in children:
        rows.append(
            BreakdownRow(
                key=str(child.pk),
                label=child.name,
                figures=groups.pop(str(child.pk), Figures()),
                url=child.get_absolute_url(),
                list_query=urlencode({"unit": child.pk}),
            )
        )
    other = groups.pop(None, None)
    for key, figures in groups.items():
        rows.append(BreakdownRow(key=key, label=f"其他下属单位（{key}）", figures=figures))
    if other is not None and not other.is_empty:
        rows.append(
            BreakdownRow(
                key=None,
                label="其他可查看的数据",
                figures=other,
                note="本单位使用其房间的院落、楼座等",
            )
        )
    trail = []
    ids = [int(i) for i in org.path.strip("/").split("/") if i][:-1]
    if ids:
        visible = Organization.objects.restrict(user).in_bulk(ids)
        trail = [
            (visible[i].name, _dashboard_url(organization=str(i))) for i in ids if i in visible
        ]
    board = Dashboard(
        mode="organization",
        current=org,
        trail=trail,
        rows=rows,
        child_label="下属单位",
        list_query=urlencode({"unit": org.pk}),
    )
    for row in rows:
        board.totals.add(row.figures)
    rooms = Room.objects.restrict(user)
    if not own_scope:
        rooms = rooms.filter(organization__path__startswith=org.path)
    _room_summaries(board, rooms)
    return board


def _room_summaries(board: Dashboard, rooms: QuerySet) -> None:
    """Rooms by category and by status: one grouped query (category × status), summed here."""
    by_category: dict[str, dict[str, Any]] = {}
    by_status: dict[str, int] = {}
    for row in (
        rooms.values("category", "status")
        .annotate(n=Count("pk"), area=Sum("usable_area"))
        .order_by()
    ):
        group = by_category.setdefault(row["category"], {"n": 0, "area": ZERO})
        group["n"] += row["n"]
        group["area"] += row["area"] or ZERO
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
    board.categories = [
        {
            "code": code,
            "label": label,
            "count": by_category.get(code, {}).get("n", 0),
            "area": by_category.get(code, {}).get("area") or ZERO,
        }
        for code, label in RoomCategory.choices
    ]
    board.statuses = [
        {"code": code, "label": label, "count": by_status.get(code, 0)}
        for code, label in RoomStatus.choices
    ]


# Global search ------------------------------------------------------------------------------------
SEARCH_LIMIT = 10


@dataclass
class SearchGroup:
    label: str
    list_url: str
    results: list[tuple[Any, str]]  # (object, context line)
    has_more: bool


def _context(obj) -> str:
    if isinstance(obj, Organization):
        return " · ".join(filter(None, [obj.region.name, obj.uscc or "", obj.get_kind_display()]))
    if isinstance(obj, Compound):
        return " · ".join(filter(None, [obj.region.name, obj.address]))
    if isinstance(obj, Building):
        return f"{obj.compound.name} · 地上 {obj.floors_above} 层"
    if isinstance(obj, Room):
        unit = obj.organization.name if obj.organization_id else "未分配使用单位"
        return f"{obj.floor.building} {obj.floor.label} · {obj.get_category_display()} · {unit}"
    if isinstance(obj, Person):
        return " · ".join(filter(None, [obj.organization.name, obj.number, obj.position]))
    return ""


@dataclass(frozen=True)
class Searchable:
    """A kind of object the global search box looks in, as its list page searches it."""

    model: type
    filterset: type
    related: tuple[str, ...]
    url_name: str
    context: Callable[[Any], str] = _context


SEARCHES: list[Searchable] = [
    Searchable(Organization, OrganizationFilterSet, ("region",), "registry:organization_list"),
    Searchable(Compound, CompoundFilterSet, ("region",), "registry:compound_list"),
    Searchable(Building, BuildingFilterSet, ("compound",), "registry:building_list"),
    Searchable(
        Room, RoomFilterSet, ("floor__building__compound", "organization"), "registry:room_list"
    ),
    Searchable(Person, PersonFilterSet, ("organization",), "registry:person_list"),
]


def register_search(searchable: Searchable) -> None:
    """Let an app above the registry add its objects (a case by its number) to the search box."""
    if all(s.model is not searchable.model for s in SEARCHES):
        SEARCHES.append(searchable)


def search(user, text: str, *, limit: int = SEARCH_LIMIT) -> list[SearchGroup]:
    """Objects matching ``text`` in the account's scope, grouped by kind, ``limit`` per kind.

    Each kind is searched as its list page searches (the filterset's ``q``), so "查看全部"
    leads to the same rows.
    """
    text = (text or "").strip()
    if not text:
        return []
    groups = []
    for searchable in SEARCHES:
        model = searchable.model
        if not user.has_model_perm(model, "view"):
            continue
        qs = model.objects.restrict(user).select_related(*searchable.related)
        qs = searchable.filterset({"q": text}, queryset=qs).search(qs, "q", text)
        found = list(qs[: limit + 1])
        if not found:
            continue
        groups.append(
            SearchGroup(
                label=str(model._meta.verbose_name),
                list_url=reverse(searchable.url_name) + "?" + urlencode({"q": text}),
                results=[(obj, searchable.context(obj)) for obj in found[:limit]],
                has_more=len(found) > limit,
            )
        )
    return groups


# Breadcrumbs --------------------------------------------------------------------------------------
def _crumbs(user, chain: list) -> list[tuple[str, str]]:
    """(label, url) per object; linked only when the account can open it (one query per model)."""
    chain = [o for o in chain if o is not None]
    by_model: dict[type, list[int]] = {}
    for obj in chain:
        by_model.setdefault(type(obj), []).append(obj.pk)
    visible = {
        model: set(model.objects.restrict(user).filter(pk__in=pks).values_list("pk", flat=True))
        for model, pks in by_model.items()
    }
    result = []
    for obj in chain:
        label = obj.label if isinstance(obj, Floor) else getattr(obj, "name", None) or str(obj)
        url = obj.get_absolute_url() if obj.pk in visible[type(obj)] else ""
        result.append((label, url))
    return result


def breadcrumbs(user, obj) -> list[tuple[str, str]]:
    """The chain region → compound → building → floor leading to ``obj`` (excluding ``obj``)."""
    chain: list = []
    if isinstance(obj, Room):
        floor = obj.floor
        chain = [floor.building.compound.region, floor.building.compound, floor.building, floor]
    elif isinstance(obj, Floor):
        chain = [obj.building.compound.region, obj.building.compound, obj.building]
    elif isinstance(obj, Building):
        chain = [obj.compound.region, obj.compound]
    elif isinstance(obj, Compound | ParkingLot | Canteen):
        compound = obj if isinstance(obj, Compound) else obj.compound
        chain = [compound.region] + ([] if compound is obj else [compound])
    elif isinstance(obj, Region):
        chain = obj.ancestors()
    elif isinstance(obj, Organization):
        ids = [int(i) for i in obj.path.strip("/").split("/") if i][:-1]
        parents = Organization.objects.in_bulk(ids)
        chain = [obj.region] + [parents[i] for i in ids if i in parents]
    elif isinstance(obj, Person | LeadershipQuota):
        chain = [obj.organization]
    elif isinstance(obj, Post | Occupancy):
        chain = [obj.person.organization, obj.person]
    return _crumbs(user, chain)


# Related lists ------------------------------------------------------------------------------------
RELATED_LIMIT = 20


def _capped(qs: QuerySet, limit: int = RELATED_LIMIT) -> dict[str, Any]:
    """The first ``limit`` rows and the total, for a related list with a "view all" link."""
    rows = list(qs[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return {"rows": rows, "total": total, "more": total > len(rows)}


def region_related(user, region: Region) -> dict[str, Any]:
    groups = grouped_figures(
        user,
        {Organization: REGION_PATHS[Organization], Compound: REGION_PATHS[Compound]},
        region.path,
    )
    children = list(Region.objects.restrict(user).filter(parent=region).order_by("code"))
    for child in children:
        figures = groups.get(child.code, Figures())
        child.organization_count = figures.organizations
        child.compound_count = figures.compounds
    total = Figures()
    for figures in groups.values():
        total.add(figures)
    return {
        "children": children,
        "subtree_organizations": total.organizations,
        "subtree_compounds": total.compounds,
        "organizations": _capped(
            Organization.objects.restrict(user).filter(region=region).order_by("path")
        ),
        "compounds": _capped(
            Compound.objects.restrict(user).filter(region=region).select_related("owner_org")
        ),
        "region_query": urlencode({"region": region.code}),
    }


def organization_related(user, org: Organization) -> dict[str, Any]:
    rooms = Room.objects.restrict(user).filter(organization=org)
    by_category = {
        r["category"]: r
        for r in rooms.values("category")
        .annotate(n=Count("pk"), area=Sum("usable_area"))
        .order_by()
    }
    categories = [
        {
            "code": code,
            "label": label,
            "count": by_category.get(code, {}).get("n", 0),
            "area": by_category.get(code, {}).get("area") or ZERO,
        }
        for code, label in RoomCategory.choices
    ]
    return {
        "persons": _capped(Person.objects.restrict(user).filter(organization=org)),
        "rooms": _capped(rooms.select_related("floor__building__compound")),
        "categories": categories,
        "category_total": {
            "count": sum(c["count"] for c in categories),
            "area": sum((c["area"] for c in categories), ZERO),
        },
        "children": _capped(
            Organization.objects.restrict(user).filter(parent=org).order_by("name"), 50
        ),
        "quotas": list(LeadershipQuota.objects.restrict(user).filter(organization=org)),
        "compounds": list(
            Compound.objects.restrict(user).filter(owner_org=org).select_related("region")
        ),
        "posts_here": _capped(
            Post.objects.restrict(user)
            .filter(organization=org, ended_on__isnull=True)
            .select_related("person__organization")
        ),
    }


def compound_related(user, compound: Compound) -> dict[str, Any]:
    rooms = Room.objects.restrict(user).filter(floor__building__compound=compound)
    room_figures = {
        r["floor__building"]: r
        for r in rooms.values("floor__building")
        .annotate(n=Count("pk"), area=Sum("usable_area"))
        .order_by()
    }
    buildings = list(Building.objects.restrict(user).filter(compound=compound))
    for b in buildings:
        figures = room_figures.get(b.pk, {})
        b.room_count = figures.get("n", 0)
        b.room_area = figures.get("area") or ZERO
    return {
        "buildings": buildings,
        "parking_lots": list(ParkingLot.objects.restrict(user).filter(compound=compound)),
        "canteens": list(Canteen.objects.restrict(user).filter(compound=compound)),
        "building_total": {
            "building_area": sum((b.building_area for b in buildings), ZERO),
            "usable_area": sum((b.usable_area for b in buildings), ZERO),
        },
    }


def building_related(user, building: Building) -> dict[str, Any]:
    rooms = Room.objects.restrict(user).filter(floor__building=building)
    per_floor = {
        r["floor"]: r
        for r in rooms.values("floor").annotate(n=Count("pk"), area=Sum("usable_area")).order_by()
    }
    floors = list(Floor.objects.restrict(user).filter(building=building).order_by("-number"))
    for floor in floors:
        figures = per_floor.get(floor.pk, {})
        floor.room_count = figures.get("n", 0)
        floor.room_area = figures.get("area") or ZERO
    room_area = sum((f["area"] or ZERO for f in per_floor.values()), ZERO)
    return {
        "floors": floors,
        "rooms": _capped(
            rooms.select_related("floor", "organization").order_by("floor__number", "number"), 100
        ),
        "room_area": room_area,
        "room_count": sum(f["n"] for f in per_floor.values()),
        "over_usable": room_area > building.usable_area,
    }


def floor_related(user, floor: Floor) -> dict[str, Any]:
    rooms = Room.objects.restrict(user).filter(floor=floor).select_related("organization")
    rows = _capped(rooms.order_by("number"), 300)
    rows["area"] = rooms.aggregate(s=Coalesce(Sum("usable_area"), ZERO))["s"]
    return {"rooms": rows}


def room_related(user, room: Room) -> dict[str, Any]:
    occupancies = list(
        Occupancy.objects.restrict(user)
        .filter(room=room)
        .select_related("person__organization")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on")
    )
    return {
        "current": [o for o in occupancies if o.ended_on is None],
        "past": [o for o in occupancies if o.ended_on is not None],
    }


def person_related(user, person: Person) -> dict[str, Any]:
    occupancies = list(
        Occupancy.objects.restrict(user)
        .filter(person=person)
        .select_related("room__floor__building__compound", "room__organization")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on")
    )
    posts = list(
        Post.objects.restrict(user)
        .filter(person=person)
        .select_related("organization")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on")
    )
    current_area = sum((o.room.usable_area for o in occupancies if o.ended_on is None), ZERO)
    return {"occupancies": occupancies, "posts": posts, "current_area": current_area}
