"""Incremental re-checks: a registry write re-judges only the objects it can change a verdict of.

Connected to :data:`framework.signals.object_written` in ``ComplianceConfig.ready``; it runs inside
the writing service's transaction, so a failure rolls the write back and the warnings never lag
behind the data. The affected objects are expressed as subqueries (the current occupants of an
edited room, the rooms a person holds …), so mapping a write costs no query of its own.

A deleted person, room, floor or building takes its own warnings with it (cascade); what it
leaves behind — the rooms a person shared, the other offices of the occupants of deleted rooms —
is read by :func:`on_pre_delete` while the rows still exist and re-checked after the delete, in
the same transaction. Moving or
renaming a region, compound, building or floor re-checks the rooms, occupants and buildings whose
labels, rule set (by region) or sums it changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Q

from ..registry.models import (
    Building,
    Compound,
    Floor,
    LeadershipQuota,
    Occupancy,
    Organization,
    Person,
    Post,
    Region,
    Room,
)
from ..standards.models import (
    Clause,
    GradeEquivalence,
    OfficeLimit,
    RuleParameter,
    ServiceAllowance,
    StandardVersion,
)
from .loader import NOTHING, Selection, held_rooms
from .services import check, queue_standard_recheck

logger = logging.getLogger(__name__)

# Fields whose change can change a verdict, a figure or a label; other edits are not re-checked.
RELEVANT: dict[type, frozenset[str]] = {
    Room: frozenset(
        {
            "floor",
            "number",
            "category",
            "subtype",
            "usable_area",
            "building_area",
            "organization",
            "status",
            "status_since",
            "surveyed_area",
        }
    ),
    Occupancy: frozenset({"person", "room", "started_on", "ended_on", "is_primary"}),
    Person: frozenset(
        {"organization", "name", "grade", "rank_title", "employment_status", "status_changed_on"}
    ),
    Post: frozenset({"person", "organization", "grade", "started_on", "ended_on"}),
    Organization: frozenset(
        {
            "name",
            "level",
            "standard_level",
            "region",
            "staffing_quota",
            "institution_staffing_quota",
            "status",
            "abolished_on",
        }
    ),
    Building: frozenset({"name", "compound", "usable_area", "height_class"}),
    LeadershipQuota: frozenset({"organization", "grade", "count"}),
    # Where things stand: the rule set follows the region's path, labels carry compound and
    # building names, a building's sums its floors.
    Region: frozenset({"code", "parent", "path"}),
    Compound: frozenset({"name", "region", "owner_org"}),
    Floor: frozenset({"building"}),
}


def _ids(*values) -> list[int]:
    return sorted({v for v in values if v is not None})


def _pk_in(values: list[int]) -> Q:
    return Q(pk__in=values) if values else NOTHING


def _both(field: str, instance, before: dict, after: dict) -> list[int]:
    return _ids(before.get(field), after.get(field))


def _occupants(rooms: Q) -> Q:
    """Persons who now hold one of the rooms matching ``rooms`` (a subquery)."""
    return Q(
        pk__in=Occupancy.objects.filter(
            ended_on__isnull=True, room__in=Room.objects.filter(rooms).values("pk")
        ).values("person_id")
    )


# Deleted objects whose current occupancies go with them: how an occupancy leads to the object,
# and what of the occupancy is left to re-check (the rooms a person held, the persons of rooms).
HELD_ON_DELETE: dict[type, tuple[str, str]] = {
    Person: ("person_id", "room_id"),
    Room: ("room_id", "person_id"),
    Floor: ("room__floor_id", "person_id"),
    Building: ("room__floor__building_id", "person_id"),
}


def on_pre_delete(sender, instance, **kwargs) -> None:
    """Before a person, room, floor or building is deleted (by its service or by a cascade),
    remember who or what its current occupancies join: they are gone by the time the delete is
    re-checked."""
    lookup, other = HELD_ON_DELETE[sender]
    instance._held_by_occupancy = list(
        Occupancy.objects.filter(ended_on__isnull=True, **{lookup: instance.pk}).values_list(
            other, flat=True
        )
    )


def _left_by(instance) -> tuple[Q, Q]:
    """The persons who held a deleted room (or rooms of a deleted floor or building), and the
    offices they still hold."""
    persons = _pk_in(_ids(*getattr(instance, "_held_by_occupancy", ())))
    return persons, held_rooms(persons)


def for_room(instance: Room, before: dict, after: dict, action: str) -> Selection:
    floors = _both("floor", instance, before, after)
    if action == "delete":
        # Its occupants: their other offices and their own verdicts (R2) change.
        persons, rooms = _left_by(instance)
    else:
        persons, rooms = _occupants(Q(pk=instance.pk)), Q(pk=instance.pk)
    return Selection(
        rooms=rooms,
        persons=persons,
        organizations=_pk_in(_both("organization", instance, before, after)),
        buildings=Q(pk__in=Floor.objects.filter(pk__in=floors).values("building_id"))
        if floors
        else NOTHING,
    )


def for_occupancy(instance: Occupancy, before: dict, after: dict, action: str) -> Selection:
    persons = _pk_in(_both("person", instance, before, after))
    return Selection(
        rooms=_pk_in(_both("room", instance, before, after)) | held_rooms(persons),
        persons=persons,
    )


def for_person(instance: Person, before: dict, after: dict, action: str) -> Selection:
    if action == "delete":
        # The rooms he held: their remaining occupants are judged without him (R1).
        return Selection.of(rooms=getattr(instance, "_held_by_occupancy", ()))
    persons = Q(pk=instance.pk)
    return Selection(rooms=held_rooms(persons), persons=persons)


def for_post(instance: Post, before: dict, after: dict, action: str) -> Selection:
    persons = _pk_in(_both("person", instance, before, after))
    return Selection(rooms=held_rooms(persons), persons=persons)


def for_organization(instance: Organization, before: dict, after: dict, action: str) -> Selection:
    if action == "delete":
        return Selection()
    # Its row, region or name changes the limits of its staff and of those holding posts in it.
    persons = Q(organization_id=instance.pk) | Q(
        pk__in=Post.objects.filter(organization_id=instance.pk).values("person_id")
    )
    return Selection(
        rooms=held_rooms(persons) | Q(organization_id=instance.pk),
        persons=persons,
        organizations=Q(pk=instance.pk),
    )


def _site(rooms: Q, buildings: Q) -> Selection:
    """Rooms standing somewhere that moved or was renamed, their occupants (whose findings
    list the rooms by label) and the buildings concerned."""
    return Selection(rooms=rooms, persons=_occupants(rooms), buildings=buildings)


def for_building(instance: Building, before: dict, after: dict, action: str) -> Selection:
    if action == "delete":
        persons, rooms = _left_by(instance)
        return Selection(rooms=rooms, persons=persons)
    return _site(Q(floor__building_id=instance.pk), Q(pk=instance.pk))


def for_floor(instance: Floor, before: dict, after: dict, action: str) -> Selection:
    buildings = _pk_in(_both("building", instance, before, after))
    if action == "delete":
        persons, rooms = _left_by(instance)
        return Selection(rooms=rooms, persons=persons, buildings=buildings)
    return _site(Q(floor_id=instance.pk), buildings)


def for_compound(instance: Compound, before: dict, after: dict, action: str) -> Selection:
    if action == "delete":
        return Selection()
    return _site(Q(floor__building__compound_id=instance.pk), Q(compound_id=instance.pk))


def for_region(instance: Region, before: dict, after: dict, action: str) -> Selection:
    if action == "delete":
        return Selection()
    # A new parent or code gives the subtree a new path, so other local standards may apply.
    return Selection.region(path=after["path"])


def for_quota(instance: LeadershipQuota, before: dict, after: dict, action: str) -> Selection:
    return Selection(organizations=_pk_in(_both("organization", instance, before, after)))


MAPPERS: dict[type, Callable[..., Selection]] = {
    Room: for_room,
    Occupancy: for_occupancy,
    Person: for_person,
    Post: for_post,
    Organization: for_organization,
    Building: for_building,
    LeadershipQuota: for_quota,
    Region: for_region,
    Compound: for_compound,
    Floor: for_floor,
}


def _only_notes(before: dict | None, after: dict | None) -> bool:
    """An edit of a version's notes alone (nothing a verdict or its record reads)."""
    before, after = before or {}, after or {}
    changed = {k for k in {*before, *after} if before.get(k) != after.get(k)}
    return changed <= {"notes", "version"}


def affected(sender: type, instance, before: dict | None, after: dict | None, action: str):
    """The selection a write of ``instance`` must re-check, or None when it changes nothing."""
    mapper = MAPPERS.get(sender)
    if mapper is None:
        return None
    before, after = before or {}, after or {}
    if action == "update" and not any(
        before.get(name) != after.get(name) for name in RELEVANT[sender]
    ):
        return None
    return mapper(instance, before, after, action)


# A standard's edit re-judges whole regions: too much for the writing request, so it goes to the
# queue. Every field of a version or row can change a verdict or the rule set a warning records.
STANDARD_ROWS = (OfficeLimit, GradeEquivalence, ServiceAllowance, RuleParameter, Clause)


def standard_places(sender: type, instance, before: dict, after: dict) -> tuple[int, list[str]]:
    """The version an edit of a standard belongs to, and the region paths it applies to (before
    and after the edit; "" for a national version: everywhere)."""
    if sender is StandardVersion:
        versions = {instance.pk: _both("region", instance, before, after) or [None]}
        version_id = instance.pk
    else:
        ids = _both("version", instance, before, after)
        regions = dict(StandardVersion.objects.filter(pk__in=ids).values_list("pk", "region_id"))
        versions = {vid: [regions.get(vid)] for vid in ids}
        version_id = instance.version_id
    region_ids = {r for rs in versions.values() for r in rs}
    paths = list(Region.objects.filter(pk__in=region_ids - {None}).values_list("path", flat=True))
    if None in region_ids:
        paths.append("")
    return version_id, paths


# Set inside rechecks_deferred(): the ids of the objects to re-check at the block's end.
_deferred: ContextVar[dict[str, set[int]] | None] = ContextVar("compliance_deferred", default=None)


@contextmanager
def rechecks_deferred() -> Iterator[None]:
    """Within the block, each registry write's re-check is noted (the ids its selection names
    now, right after the write) and all of them run as one check when the block ends, in the
    same transaction: a case writing 200 rooms judges them in one batch instead of 200. A block
    inside another leaves the checking to the outer one."""
    if _deferred.get() is not None:
        yield
        return
    noted: dict[str, set[int]] = {name: set() for name in DEFERRED_KINDS}
    token = _deferred.set(noted)
    try:
        yield
    finally:
        _deferred.reset(token)
    selection = Selection.of(**noted)
    if selection.is_empty:
        return
    try:
        check(selection)
    except LookupError as exc:
        logger.warning("compliance re-check skipped: %s", exc)


# Selection field -> its queryset method.
DEFERRED_KINDS = {
    "rooms": "room_qs",
    "persons": "person_qs",
    "organizations": "organization_qs",
    "buildings": "building_qs",
}


def _note(noted: dict[str, set[int]], selection: Selection) -> None:
    for name, method in DEFERRED_KINDS.items():
        if getattr(selection, name) != NOTHING:
            noted[name].update(getattr(selection, method)().values_list("pk", flat=True))


def recheck(selection: Selection) -> None:
    """Re-check ``selection`` now, or with the rest at the end of a deferred block."""
    noted = _deferred.get()
    if noted is not None:
        _note(noted, selection)
    elif not selection.is_empty:
        check(selection)


def on_object_written(sender, instance, before, after, actor, action, **kwargs) -> None:
    if sender is StandardVersion or sender in STANDARD_ROWS:
        if sender is StandardVersion and action == "update" and _only_notes(before, after):
            return
        version_id, paths = standard_places(sender, instance, before or {}, after or {})
        queue_standard_recheck(version_id=version_id, paths=paths)
        return
    selection = affected(sender, instance, before, after, action)
    if selection is None or selection.is_empty:
        return
    noted = _deferred.get()
    if noted is not None:
        _note(noted, selection)
        return
    try:
        check(selection)
    except LookupError as exc:
        # No national standard in force: nothing can be judged, and the registry must stay
        # writable; the next scan after the standards are fixed catches up.
        logger.warning("compliance re-check skipped: %s", exc)
