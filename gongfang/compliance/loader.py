"""Facts from the database: a constant number of ``values()`` queries per batch, whatever its size.

A :class:`Selection` names the subjects to judge as one filter per model (a region subtree for a
scan, a few ids for an incremental re-check). Everything they lead to — occupants from other
organizations, second offices elsewhere, the organizations whose rows apply — is fetched through
subqueries of those filters, never row by row and never as long id lists.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from ..registry.models import (
    Building,
    LeadershipQuota,
    Occupancy,
    Organization,
    Person,
    Post,
    Room,
)
from ..standards.ruleset import RuleSet
from . import hooks
from .facts import (
    ANCILLARY,
    HIGH_RISE,
    LEASED_OUT,
    LENT,
    OFFICE,
    SERVICE,
    BuildingFact,
    Facts,
    OccupancyFact,
    OrgFact,
    OrgUse,
    PersonFact,
    PostFact,
    RoomFact,
)

NOTHING = Q(pk__in=[])
ZERO = Decimal("0")


@dataclass(frozen=True)
class Selection:
    """The subjects of one evaluation: a filter per model (``NOTHING`` for none)."""

    rooms: Q = NOTHING
    persons: Q = NOTHING
    organizations: Q = NOTHING
    buildings: Q = NOTHING

    @classmethod
    def of(
        cls,
        *,
        rooms: Iterable[int] = (),
        persons: Iterable[int] = (),
        organizations: Iterable[int] = (),
        buildings: Iterable[int] = (),
    ) -> Selection:
        def ids(values: Iterable[int]) -> Q:
            values = sorted({v for v in values if v is not None})
            return Q(pk__in=values) if values else NOTHING

        return cls(ids(rooms), ids(persons), ids(organizations), ids(buildings))

    @classmethod
    def region(cls, *, path: str | None = None, region_id: int | None = None) -> Selection:
        """Everything in a region subtree (``path``) or in one region only (``region_id``)."""

        def where(lookup: str) -> Q:
            if region_id is not None:
                return Q(**{f"{lookup}_id": region_id})
            return Q(**{f"{lookup}__path__startswith": path})

        return cls(
            rooms=where("floor__building__compound__region"),
            persons=where("organization__region"),
            organizations=where("region"),
            buildings=where("compound__region"),
        )

    @property
    def is_empty(self) -> bool:
        return all(
            q == NOTHING for q in (self.rooms, self.persons, self.organizations, self.buildings)
        )

    # Unordered: the models' default orderings would add joins and sorts to every read.
    def room_qs(self) -> QuerySet:
        return Room.objects.filter(self.rooms).order_by()

    def person_qs(self) -> QuerySet:
        return Person.objects.filter(self.persons).order_by()

    def organization_qs(self) -> QuerySet:
        return Organization.objects.filter(self.organizations).order_by()

    def building_qs(self) -> QuerySet:
        return Building.objects.filter(self.buildings).order_by()


def held_rooms(persons: Q) -> Q:
    """Rooms the persons matching ``persons`` hold now (a subquery)."""
    return Q(
        pk__in=Occupancy.objects.filter(
            ended_on__isnull=True, person__in=Person.objects.filter(persons).values("pk")
        ).values("room_id")
    )


def load_rulesets(paths: Iterable[str], on: datetime.date) -> dict[str, RuleSet]:
    """The rule set in force at each region path (the standards app's selector)."""
    from ..standards.selectors import rulesets_for

    return rulesets_for(sorted(set(paths)), on)


ROOM_FIELDS = (
    "id",
    "number",
    "floor__building_id",
    "floor__building__name",
    "floor__building__compound__name",
    "floor__building__compound__region_id",
    "floor__building__compound__region__path",
    "category",
    "subtype",
    "usable_area",
    "building_area",
    "organization_id",
    "status",
    "status_since",
    "surveyed_area",
)


def _room(row: dict) -> RoomFact:
    return RoomFact(
        id=row["id"],
        label=f"{row['floor__building__compound__name']} {row['floor__building__name']} "
        f"{row['number']}",
        building_id=row["floor__building_id"],
        region_id=row["floor__building__compound__region_id"],
        region_path=row["floor__building__compound__region__path"],
        category=row["category"],
        subtype=row["subtype"],
        usable_area=row["usable_area"],
        building_area=row["building_area"],
        organization_id=row["organization_id"],
        status=row["status"],
        status_since=row["status_since"],
        surveyed_area=row["surveyed_area"],
    )


# Up to this many ids go into a query as a literal list (cheap to compile, the incremental
# case); more are selected by subquery (a scan batch; no database limit on list sizes is hit).
LITERAL_IDS = 500


def _ref(ids: set[int], subquery: QuerySet) -> list[int] | QuerySet:
    return sorted(ids) if len(ids) <= LITERAL_IDS else subquery


def load_facts(selection: Selection, *, today: datetime.date) -> Facts:
    """The facts of ``selection``'s subjects (about fifteen queries, whatever their number)."""
    subject_rooms = selection.room_qs()
    rooms = {r["id"]: _room(r) for r in subject_rooms.values(*ROOM_FIELDS)}
    subject_room_ids = frozenset(rooms)
    subject_persons = _ids(selection.persons, selection.person_qs())

    current = Occupancy.objects.filter(ended_on__isnull=True).order_by()
    fields = ("id", "person_id", "room_id", "started_on", "is_primary")
    room_ref = _ref(subject_room_ids, subject_rooms.values("pk"))
    # The subjects' occupants, then every office those persons and the subject persons hold.
    occupant_ids = set(
        current.filter(room__in=room_ref).values_list("person_id", flat=True).distinct()
    )
    person_ids = occupant_ids | subject_persons
    persons_ref = _ref(
        person_ids,
        Person.objects.filter(
            selection.persons
            | Q(pk__in=current.filter(room__in=subject_rooms.values("pk")).values("person_id"))
        )
        .order_by()
        .values("pk"),
    )
    occupancies = [
        OccupancyFact(
            id=o["id"],
            person_id=o["person_id"],
            room_id=o["room_id"],
            started_on=o["started_on"],
            is_primary=o["is_primary"],
        )
        for o in current.filter(person__in=persons_ref).values(*fields)
    ]
    # Rooms the subjects' occupants hold elsewhere (second offices, toilets).
    elsewhere = {o.room_id for o in occupancies} - subject_room_ids
    if elsewhere:
        elsewhere_ref = _ref(
            elsewhere,
            Room.objects.filter(
                pk__in=current.filter(person__in=persons_ref).values("room_id")
            ).values("pk"),
        )
        for r in (
            Room.objects.filter(pk__in=elsewhere_ref)
            .exclude(pk__in=room_ref)
            .order_by()
            .values(*ROOM_FIELDS)
        ):
            rooms[r["id"]] = _room(r)

    persons = {
        p["id"]: PersonFact(
            id=p["id"],
            name=p["name"],
            organization_id=p["organization_id"],
            grade=p["grade"],
            rank_title=p["rank_title"],
            employment_status=p["employment_status"],
            status_changed_on=p["status_changed_on"],
        )
        for p in Person.objects.filter(pk__in=persons_ref)
        .order_by()
        .values(
            "id",
            "name",
            "organization_id",
            "grade",
            "rank_title",
            "employment_status",
            "status_changed_on",
        )
    }
    posts = [
        PostFact(
            id=p["id"],
            person_id=p["person_id"],
            organization_id=p["organization_id"],
            grade=p["grade"],
            started_on=p["started_on"],
            ended_on=p["ended_on"],
        )
        for p in Post.objects.filter(person__in=persons_ref)
        .order_by()
        .values("id", "person_id", "organization_id", "grade", "started_on", "ended_on")
    ]

    subject_orgs = _ids(selection.organizations, selection.organization_qs())
    org_ids = (
        {p.organization_id for p in persons.values()}
        | {p.organization_id for p in posts}
        | subject_orgs
    )
    orgs_qs = Organization.objects.filter(
        pk__in=_ref(
            org_ids,
            Organization.objects.filter(
                selection.organizations
                | Q(pk__in=Person.objects.filter(pk__in=persons_ref).values("organization_id"))
                | Q(pk__in=Post.objects.filter(person__in=persons_ref).values("organization_id"))
            ).values("pk"),
        )
    ).order_by()
    quotas: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for q in (
        LeadershipQuota.objects.filter(organization__in=orgs_qs.values("pk"))
        .order_by("organization_id", "grade")
        .values("organization_id", "grade", "count")
    ):
        quotas[q["organization_id"]].append((q["grade"], q["count"]))
    orgs = {
        o["id"]: OrgFact(
            id=o["id"],
            name=o["name"],
            region_id=o["region_id"],
            region_path=o["region__path"],
            level=o["level"],
            standard_level=o["standard_level"] or o["level"],
            status=o["status"],
            abolished_on=o["abolished_on"],
            staffing=o["staffing_quota"] + o["institution_staffing_quota"],
            leadership=tuple(quotas.get(o["id"], ())),
        )
        for o in orgs_qs.values(
            "id",
            "name",
            "region_id",
            "region__path",
            "level",
            "standard_level",
            "status",
            "abolished_on",
            "staffing_quota",
            "institution_staffing_quota",
        )
    }
    org_use = (
        load_org_use(_ref(subject_orgs, selection.organization_qs().values("pk")))
        if subject_orgs
        else {}
    )

    buildings = {
        b["id"]: BuildingFact(
            id=b["id"],
            label=f"{b['compound__name']} {b['name']}",
            region_id=b["compound__region_id"],
            region_path=b["compound__region__path"],
            usable_area=b["usable_area"],
            rooms_usable=b["rooms_usable"] or ZERO,
            organization_id=b["compound__owner_org_id"],
        )
        for b in selection.building_qs()
        .values(
            "id",
            "name",
            "compound__name",
            "compound__region_id",
            "compound__region__path",
            "compound__owner_org_id",
            "usable_area",
        )
        .annotate(rooms_usable=Sum("floors__rooms__usable_area"))
        .order_by()
    }

    paths = (
        {r.region_path for r in rooms.values()}
        | {o.region_path for o in orgs.values()}
        | {b.region_path for b in buildings.values()}
    )
    # R8's approvals, asked only for the subject rooms it may flag (lent, leased out, not an
    # office): one query per provider, none for a batch of offices in use.
    approved = hooks.approved_uses(
        (
            r
            for r in subject_room_ids
            if rooms[r].status in (LENT, LEASED_OUT) or rooms[r].category != OFFICE
        ),
        today,
    )
    return Facts(
        today=today,
        rulesets=load_rulesets(paths, today) if paths else {},
        orgs=orgs,
        persons=persons,
        rooms=rooms,
        occupancies=occupancies,
        posts=posts,
        buildings=buildings,
        org_use=org_use,
        approved_uses=approved,
        subject_rooms=subject_room_ids,
        subject_persons=subject_persons,
        subject_orgs=subject_orgs,
        subject_buildings=frozenset(buildings),
    )


def _ids(q: Q, qs: QuerySet) -> frozenset[int]:
    return frozenset() if q == NOTHING else frozenset(qs.values_list("pk", flat=True))


def load_org_use(orgs: QuerySet | Iterable[int]) -> dict[int, OrgUse]:
    """Each organization's rooms in figures (ids, or a ``values("pk")`` subquery): one query."""
    acc: dict[int, dict[str, Decimal | int]] = defaultdict(
        lambda: {
            "rooms": 0,
            "office": ZERO,
            "service": ZERO,
            "ancillary": ZERO,
            "high": ZERO,
            "total": ZERO,
        }
    )
    rows = (
        Room.objects.filter(organization_id__in=orgs)
        .values("organization_id", "category", "floor__building__height_class")
        .annotate(
            n=Count("pk"),
            usable=Sum("usable_area"),
            gross=Sum(Coalesce("building_area", "usable_area")),
        )
        .order_by()
    )
    for row in rows:
        a = acc[row["organization_id"]]
        usable = row["usable"] or ZERO
        a["rooms"] += row["n"]
        a["total"] += usable
        if row["category"] == OFFICE:
            a["office"] += usable
        elif row["category"] == SERVICE:
            a["service"] += usable
        elif row["category"] == ANCILLARY:
            a["ancillary"] += row["gross"] or ZERO
        if row["floor__building__height_class"] == HIGH_RISE:
            a["high"] += usable
    return {
        org: OrgUse(
            rooms=a["rooms"],
            office=a["office"],
            service=a["service"],
            ancillary=a["ancillary"],
            high_rise=a["high"],
            total=a["total"],
        )
        for org, a in acc.items()
    }
