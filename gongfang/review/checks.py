"""The automatic checks of a review: what they find, as plain results (no writes).

* 应填尽填: the review's required fields (:class:`.models.RequiredField` rows in force) empty on a
  row of the scope that meets the field's condition;
* R9: compliance's own data-quality warnings still active in the scope;
* 测绘面积: a room whose registered usable area differs from its surveyed area beyond the R9
  tolerance (the standards' parameter ``r9_area_tolerance`` of the room's region);
* 面积合理性: a room above the registry's plausibility ceiling (a figure entered before the
  ceiling existed, or by an import that bypassed it).

Each result has a key ("required:room:12:usable_area"): a re-run finds the same problem under the
same key, so services update findings instead of adding them, and a re-check re-runs the checks
of one object and looks for its key.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Model, Q, QuerySet

from ..compliance.models import ACTIVE_STATES, Warning
from ..compliance.rules import survey_gap
from ..registry import plausibility
from ..registry.models import Building, Compound, Organization, Person, Region, Room
from ..standards.selectors import rulesets_for
from .models import RequiredField, Review, Severity, Source, Subject


@dataclass(frozen=True)
class SubjectSpec:
    model: type[Model]
    region: str  # lookup to the region the row lies in
    organization: str  # lookup to the responsible organization ("" for an organization)
    related: tuple[str, ...]

    def organization_id(self, obj) -> int | None:
        return obj.pk if not self.organization else _follow_id(obj, self.organization)

    def region_id(self, obj) -> int:
        return _follow_id(obj, self.region)


def _follow_id(obj, lookup: str) -> int | None:
    """The id at the end of ``lookup`` ("floor__building__compound__region"), read from the
    last hop's foreign-key column so the target row itself need not be loaded."""
    *hops, last = lookup.split("__")
    for name in hops:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")


SUBJECTS: dict[str, SubjectSpec] = {
    Subject.ORGANIZATION: SubjectSpec(Organization, "region", "", ()),
    Subject.COMPOUND: SubjectSpec(Compound, "region", "owner_org", ()),
    Subject.BUILDING: SubjectSpec(
        Building, "compound__region", "compound__owner_org", ("compound",)
    ),
    Subject.ROOM: SubjectSpec(
        Room, "floor__building__compound__region", "organization", ("floor__building__compound",)
    ),
    Subject.PERSON: SubjectSpec(Person, "organization__region", "organization", ("organization",)),
}
MODEL_SUBJECT = {spec.model: key for key, spec in SUBJECTS.items()}


def label_of(subject: str, obj) -> str:
    """How a finding names its object: a room with its compound and building."""
    if subject == Subject.ROOM:
        building = obj.floor.building
        return f"{building.compound.name} {building.name} {obj.number}"
    if subject == Subject.BUILDING:
        return f"{obj.compound.name} {obj.name}"
    if subject == Subject.PERSON:
        return f"{obj.organization.name} {obj.name}"
    return obj.name


@dataclass(frozen=True)
class Result:
    key: str
    source: str
    subject: str
    object_id: int
    organization_id: int
    region_id: int
    label: str
    problem: str
    severity: str = Severity.MINOR
    field: str = ""
    field_label: str = ""


def in_review(review: Review, subject: str, ids: Iterable[int] | None = None) -> QuerySet:
    """The rows of ``subject`` inside the review's scope (its region subtree, and its chosen
    organizations when it names any); ``ids`` narrows to those rows (a re-check)."""
    spec = SUBJECTS[subject]
    region = Region._base_manager.filter(path__startswith=review.region.path).values("pk")
    qs = spec.model._base_manager.filter(**{f"{spec.region}__in": region})
    chosen = list(review.organizations.values_list("pk", flat=True))
    if chosen:
        qs = qs.filter(**{f"{spec.organization or 'pk'}__in": chosen})
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.select_related(*spec.related)


def _result(subject: str, obj, source: str, key: str, problem: str, **kw) -> Result | None:
    spec = SUBJECTS[subject]
    organization_id = spec.organization_id(obj)
    if organization_id is None:  # nobody to rectify it (an unassigned room)
        return None
    return Result(
        key=key,
        source=source,
        subject=subject,
        object_id=obj.pk,
        organization_id=organization_id,
        region_id=spec.region_id(obj),
        label=label_of(subject, obj),
        problem=problem,
        **kw,
    )


def required_fields(on: datetime.date) -> list[RequiredField]:
    """The required-field rows in force on ``on``: the latest version of each model + field."""
    rows = RequiredField.objects.filter(effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )
    latest: dict[tuple[str, str], RequiredField] = {}
    for row in rows.order_by("effective_from", "pk"):
        latest[(row.model, row.field)] = row
    return list(latest.values())


def empty_q(model: type[Model], name: str) -> Q:
    field = model._meta.get_field(name)
    q = Q(**{f"{name}__isnull": True})
    if not field.is_relation and field.get_internal_type() in ("CharField", "TextField"):
        q |= Q(**{name: ""})
    return q


def check_required(review: Review, on: datetime.date, only=None) -> Iterator[Result]:
    for row in required_fields(on):
        spec = SUBJECTS[row.model]
        if only is not None and only[0] != row.model:
            continue
        qs = in_review(review, row.model, only[1] if only else None)
        qs = qs.filter(**(row.condition or {})).filter(empty_q(spec.model, row.field))
        condition = f"（{row.condition_label}）" if row.condition_label else ""
        for obj in qs.iterator(chunk_size=2000):
            result = _result(
                row.model,
                obj,
                Source.REQUIRED,
                f"required:{row.model}:{obj.pk}:{row.field}",
                f"{row.label}未填写{condition}（{row.version}）",
                field=row.field,
                field_label=row.label,
            )
            if result:
                yield result


def check_r9(review: Review, only=None) -> Iterator[Result]:
    """Compliance's active R9 warnings about the scope's objects (the survey gap alone is left
    to :func:`check_survey`, which re-checks it on the room itself)."""
    region = Region._base_manager.filter(path__startswith=review.region.path).values("pk")
    warnings = Warning.objects.filter(rule="R9", state__in=ACTIVE_STATES, region__in=region)
    chosen = list(review.organizations.values_list("pk", flat=True))
    if chosen:
        warnings = warnings.filter(organization__in=chosen)
    if only is not None:
        if only[0] not in (Subject.ROOM, Subject.PERSON, Subject.ORGANIZATION, Subject.BUILDING):
            return  # no warning is about a compound
        warnings = warnings.filter(**{f"{only[0]}__in": list(only[1])})
    for w in warnings.exclude(organization=None).iterator(chunk_size=2000):
        problems = w.figures.get("problems") or [w.summary]
        if "surveyed_area" in w.figures:
            problems = [p for p in problems if "测绘面积" not in p]
        if not problems:
            continue
        object_id = getattr(w, f"{w.subject}_id")
        yield Result(
            key=f"r9:{w.key}",
            source=Source.R9,
            subject=w.subject,
            object_id=object_id,
            organization_id=w.organization_id,
            region_id=w.region_id,
            label=w.subject_label,
            problem="；".join(problems),
        )


def check_survey(review: Review, on: datetime.date, only=None) -> Iterator[Result]:
    if only is not None and only[0] != Subject.ROOM:
        return
    rooms = in_review(review, Subject.ROOM, only[1] if only else None).filter(
        surveyed_area__isnull=False
    )
    rooms = list(rooms.select_related("floor__building__compound__region"))
    paths = {r.floor.building.compound.region.path for r in rooms}
    rulesets = rulesets_for(sorted(paths), on) if paths else {}
    for room in rooms:
        tolerance = rulesets[room.floor.building.compound.region.path].param("r9_area_tolerance")
        gap = survey_gap(room.usable_area, room.surveyed_area, tolerance)
        if gap is None:
            continue
        result = _result(
            Subject.ROOM,
            room,
            Source.SURVEY,
            f"survey:room:{room.pk}",
            f"登记使用面积 {room.usable_area} m² 与测绘面积 {room.surveyed_area} m² 相差 "
            f"{gap} m²，超过 {tolerance:.0%} 容差",
            severity=Severity.MAJOR,
            field="usable_area",
            field_label="使用面积",
        )
        if result:
            yield result


def check_plausibility(review: Review, only=None) -> Iterator[Result]:
    """Rooms above the plausibility ceiling of their region. The database first keeps only the
    rooms above the lowest ceiling in force where the scope's rooms stand (a city's seventeen
    thousand rooms read one by one took twenty seconds); each survivor is judged by its own
    region's."""
    if only is not None and only[0] != Subject.ROOM:
        return
    rooms = in_review(review, Subject.ROOM, only[1] if only else None)
    paths = set(
        rooms.order_by()
        .values_list("floor__building__compound__region__path", flat=True)
        .distinct()
    )
    with plausibility.remembered():
        lowest: dict[str, Decimal] = {}
        for path in paths:
            for key, ceiling in plausibility.ceilings_for(path).items():
                if key not in lowest or ceiling.value < lowest[key]:
                    lowest[key] = ceiling.value
        office, other = lowest.get(plausibility.OFFICE_ROOM), lowest.get(plausibility.ROOM)
        candidates = Q(pk__in=[])
        if office is not None:
            candidates |= Q(category="office", usable_area__gt=office)
        if other is not None:
            candidates |= ~Q(category="office") & Q(usable_area__gt=other)
        rooms = rooms.filter(candidates).select_related("floor__building__compound__region")
        for room in rooms:
            ceilings = plausibility.ceilings_for(room.floor.building.compound.region.path)
            key = plausibility.OFFICE_ROOM if room.category == "office" else plausibility.ROOM
            ceiling = ceilings.get(key)
            if ceiling is None or room.usable_area <= ceiling.value:
                continue
            result = _result(
                Subject.ROOM,
                room,
                Source.PLAUSIBILITY,
                f"plausibility:room:{room.pk}",
                f"使用面积 {room.usable_area} m² 超过合理上限 {ceiling.value:f} m²（{ceiling.label}）",
                field="usable_area",
                field_label="使用面积",
            )
            if result:
                yield result


def run_checks(
    review: Review, *, on: datetime.date, only: tuple[str, Iterable[int]] | None = None
) -> list[Result]:
    """Every automatic result in the review's scope; ``only`` = (subject, ids) re-checks those
    objects alone."""
    if only is not None:
        only = (only[0], list(only[1]))
    return [
        *check_required(review, on, only),
        *check_r9(review, only),
        *check_survey(review, on, only),
        *check_plausibility(review, only),
    ]
