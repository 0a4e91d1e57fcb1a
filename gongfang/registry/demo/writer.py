"""Write a plan: model instances in dependency order, handed to a sink.

``DatabaseSink`` bulk-creates them (ids come back from the INSERT on SQLite and PostgreSQL alike)
and sets the organizations' paths once their ids are known. ``RecordingSink`` numbers them itself
and keeps them, so the benchmark can time the same rows through plain ``executemany``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from django.db import models

from ..models import (
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
from .geometry import room_geometries
from .plan import Plan

BATCH_SIZE = 1000

# Every model the demo writes, parents before children (and the reverse for deleting).
REGISTRY_MODELS: tuple[type[models.Model], ...] = (
    Organization,
    LeadershipQuota,
    Compound,
    Building,
    Floor,
    Room,
    Person,
    Post,
    Occupancy,
    ParkingLot,
    Canteen,
)


class Sink(Protocol):
    def create(self, model: type[models.Model], objs: list[models.Model]) -> None: ...

    def update(
        self, model: type[models.Model], objs: list[models.Model], fields: list[str]
    ) -> None: ...


class DatabaseSink:
    def __init__(self, batch_size: int = BATCH_SIZE) -> None:
        self.batch_size = batch_size

    def create(self, model: type[models.Model], objs: list[models.Model]) -> None:
        model.objects.bulk_create(objs, batch_size=self.batch_size)

    def update(
        self, model: type[models.Model], objs: list[models.Model], fields: list[str]
    ) -> None:
        model.objects.bulk_update(objs, fields, batch_size=self.batch_size)


class RecordingSink:
    """Assigns primary keys from ``next_ids`` and keeps every instance, for a raw INSERT later."""

    def __init__(self, next_ids: dict[type[models.Model], int] | None = None) -> None:
        self.next_ids: dict[type[models.Model], int] = defaultdict(lambda: 1, next_ids or {})
        self.objects: dict[type[models.Model], list[models.Model]] = defaultdict(list)

    def create(self, model: type[models.Model], objs: list[models.Model]) -> None:
        start = self.next_ids[model]
        for i, obj in enumerate(objs):
            obj.pk = start + i
        self.next_ids[model] = start + len(objs)
        self.objects[model].extend(objs)

    def update(
        self, model: type[models.Model], objs: list[models.Model], fields: list[str]
    ) -> None:
        """The instances are kept by reference: the change is already in them."""


def region_ids(codes: set[str]) -> dict[str, int]:
    found = dict(Region.objects.filter(code__in=codes).values_list("code", "id"))
    missing = codes - found.keys()
    if missing:
        raise ValueError(f"缺少行政区划：{'、'.join(sorted(missing)[:5])} 等 {len(missing)} 个。")
    return found


def write_plan(plan: Plan, *, regions: dict[str, int], sink: Sink) -> dict[str, int]:
    """Write every row of ``plan``; returns the number of rows per model (and path updates)."""
    orgs = [
        Organization(
            name=o.name,
            short_name=o.short_name,
            uscc=o.uscc,
            kind=o.kind,
            level=o.level,
            standard_level=o.standard_level,
            region_id=regions[o.region_code],
            staffing_quota=o.staffing_quota,
            institution_staffing_quota=o.institution_staffing_quota,
            status=o.status,
            abolished_on=o.abolished_on,
        )
        for o in plan.organizations
    ]
    sink.create(Organization, orgs)
    # Parents precede children in the plan, so each parent's path is ready when needed.
    for o, obj in zip(plan.organizations, orgs, strict=True):
        parent = orgs[o.parent] if o.parent is not None else None
        obj.parent_id = parent.pk if parent else None
        obj.successor_id = orgs[o.successor].pk if o.successor is not None else None
        obj.path = (parent.path if parent else "/") + f"{obj.pk}/"
    sink.update(Organization, orgs, ["parent", "successor", "path"])
    org_id = [o.pk for o in orgs]

    def org(key: int | None) -> int | None:
        return org_id[key] if key is not None else None

    sink.create(
        LeadershipQuota,
        [
            LeadershipQuota(organization_id=org_id[q.org], grade=q.grade, count=q.count)
            for q in plan.quotas
        ],
    )
    compounds = [
        Compound(
            name=c.name,
            region_id=regions[c.region_code],
            address=c.address,
            lng=c.lng,
            lat=c.lat,
            land_area=c.land_area,
            land_certificate=c.land_certificate,
            owner_org_id=org_id[c.owner_org],
        )
        for c in plan.compounds
    ]
    sink.create(Compound, compounds)
    buildings = [
        Building(
            compound_id=compounds[b.compound].pk,
            name=b.name,
            floors_above=b.floors_above,
            floors_below=b.floors_below,
            building_area=b.building_area,
            usable_area=b.usable_area,
            year_built=b.year_built,
            height_class=b.height_class,
            title_status=b.title_status,
        )
        for b in plan.buildings
    ]
    sink.create(Building, buildings)
    floors = [Floor(building_id=buildings[f.building].pk, number=f.number) for f in plan.floors]
    sink.create(Floor, floors)
    geometries = room_geometries(plan)
    rooms = [
        Room(
            floor_id=floors[r.floor].pk,
            number=r.number,
            name=r.name,
            category=r.category,
            subtype=r.subtype,
            usable_area=r.usable_area,
            organization_id=org(r.organization),
            status=r.status,
            status_since=r.status_since,
            geometry=geometry,
        )
        for r, geometry in zip(plan.rooms, geometries, strict=True)
    ]
    sink.create(Room, rooms)
    persons = [
        Person(
            organization_id=org_id[p.org],
            number=p.number,
            name=p.name,
            position=p.position,
            grade=p.grade,
            staffing_kind=p.staffing_kind,
            employment_status=p.employment_status,
            status_changed_on=p.status_changed_on,
            phone=p.phone,
        )
        for p in plan.persons
    ]
    sink.create(Person, persons)
    sink.create(
        Post,
        [
            Post(
                person_id=persons[p.person].pk,
                organization_id=org_id[p.org],
                position=p.position,
                grade=p.grade,
                started_on=p.started_on,
                ended_on=p.ended_on,
            )
            for p in plan.posts
        ],
    )
    sink.create(
        Occupancy,
        [
            Occupancy(
                person_id=persons[o.person].pk,
                room_id=rooms[o.room].pk,
                started_on=o.started_on,
                ended_on=o.ended_on,
                is_primary=o.is_primary,
            )
            for o in plan.occupancies
        ],
    )
    sink.create(
        ParkingLot,
        [
            ParkingLot(
                compound_id=compounds[p.compound].pk, name=p.name, kind=p.kind, spaces=p.spaces
            )
            for p in plan.parking_lots
        ],
    )
    sink.create(
        Canteen,
        [
            Canteen(
                compound_id=compounds[c.compound].pk,
                name=c.name,
                usable_area=c.usable_area,
                seats=c.seats,
            )
            for c in plan.canteens
        ],
    )
    return plan.counts()


def registry_counts() -> dict[type[models.Model], int]:
    """Rows of every registry model the demo writes (regions excluded)."""
    return {model: model.objects.count() for model in REGISTRY_MODELS}


def flush_registry() -> int:
    """Delete the registry rows (not regions, not accounts); returns how many were deleted.

    Accounts scoped to an organization lose that scope (the demo accounts get it back).
    """
    from ...accounts.models import User

    deleted = 0
    User.objects.filter(scope_organization__isnull=False).update(scope_organization=None)
    Organization.objects.update(parent=None, successor=None)
    for model in reversed(REGISTRY_MODELS):
        deleted += model.objects.all().delete()[0]
    return deleted
