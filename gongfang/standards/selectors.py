"""Reads of the standards: the RuleSet in force for a place and a day, and what pages show.

:func:`rulesets_for` loads everything in six queries whatever the number of places: the versions
in force, then each kind of row of those versions. Places that share the same local versions
share one RuleSet, built once from plain dicts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from django.utils import timezone

from ..registry.choices import AdminLevel, Grade
from .models import (
    CLAUSE_LABELS,
    PARAM_LABELS,
    Clause,
    GradeEquivalence,
    OfficeLimit,
    RuleParameter,
    ServiceAllowance,
    StandardVersion,
    VersionKind,
    can_write_version,
    region_prefixes,
)
from .ruleset import CLAUSE_KEYS, PARAM_KEYS, RuleSet, office_key, rank_key, service_key

LEVELS = tuple(AdminLevel.values)
GRADES = tuple(Grade.values)


class NoStandardInForce(LookupError):
    """No national version is in force on the day asked for."""


@dataclass
class VersionRows:
    """The rows of one version, as plain dicts keyed like the RuleSet."""

    id: int
    label: str
    source: str
    office: dict[tuple[str, str], tuple[Decimal, bool, str]] = field(default_factory=dict)
    ranks: dict[str, tuple[str, str]] = field(default_factory=dict)
    service: dict[str, tuple[Decimal, str]] = field(default_factory=dict)
    params: dict[str, tuple[Decimal, str, str]] = field(default_factory=dict)
    clauses: dict[str, str] = field(default_factory=dict)


def format_value(value: Decimal | None, unit: str = "") -> str:
    """A parameter as read: 0.0300 → "0.03", 60.0000 天 → "60天"."""
    if value is None:
        return ""
    number = f"{Decimal(value).normalize():f}"
    return f"{number} {unit}" if unit else number


def normalize_path(path: str) -> str:
    path = (path or "").strip()
    return path if not path or path.endswith("/") else f"{path}/"


def _versions_in_force(on: datetime.date) -> tuple[StandardVersion, list[StandardVersion]]:
    """The national version in force on ``on`` and every local one in force (one query)."""
    versions = list(
        StandardVersion.objects.in_force(on)
        .select_related("region")
        .order_by("effective_from", "pk")
    )
    nationals = [v for v in versions if v.kind == VersionKind.NATIONAL]
    if not nationals:
        raise NoStandardInForce(f"{on:%Y-%m-%d} 没有有效的国家标准版本。")
    local = [v for v in versions if v.kind == VersionKind.LOCAL and v.region_id]
    return nationals[-1], local


def load_rows(versions: Iterable[StandardVersion]) -> dict[int, VersionRows]:
    """The rows of ``versions`` (five queries, one per kind of row)."""
    data = {v.pk: VersionRows(v.pk, v.name, v.source) for v in versions}
    ids = list(data)
    for vid, level, grade, area, toilet, clause in OfficeLimit.objects.filter(
        version_id__in=ids
    ).values_list("version_id", "standard_level", "grade", "area", "toilet_allowed", "clause"):
        data[vid].office[(level, grade)] = (area, toilet, clause)
    for vid, title, grade, clause in GradeEquivalence.objects.filter(
        version_id__in=ids
    ).values_list("version_id", "rank_title", "grade", "clause"):
        data[vid].ranks[title] = (grade, clause)
    for vid, level, value, clause in ServiceAllowance.objects.filter(
        version_id__in=ids
    ).values_list("version_id", "standard_level", "per_capita", "clause"):
        data[vid].service[level] = (value, clause)
    for vid, key, value, unit, clause in RuleParameter.objects.filter(
        version_id__in=ids
    ).values_list("version_id", "key", "value", "unit", "clause"):
        # 0.0300 → 0.03, 30.0000 → 30: the same number, read as written.
        data[vid].params[key] = (Decimal(f"{value.normalize():f}"), unit, clause)
    for vid, key, text in Clause.objects.filter(version_id__in=ids).values_list(
        "version_id", "key", "text"
    ):
        data[vid].clauses[key] = text
    return data


def combine(parts: list[VersionRows]) -> RuleSet:
    """Overlay ``parts`` in order (national first): a later part wins, figure by figure."""
    office: dict[tuple[str, str], Decimal] = {}
    toilet: dict[tuple[str, str], bool] = {}
    ranks: dict[str, str] = {}
    service: dict[str, Decimal] = {}
    params: dict[str, Decimal] = {}
    units: dict[str, str] = {}
    clauses: dict[str, str] = {}
    sources: dict[str, int] = {}
    for part in parts:
        for (level, grade), (area, allowed, clause) in part.office.items():
            office[(level, grade)] = area
            toilet[(level, grade)] = allowed
            key = office_key(level, grade)
            clauses[key], sources[key] = clause, part.id
        for title, (grade, clause) in part.ranks.items():
            ranks[title] = grade
            key = rank_key(title)
            clauses[key], sources[key] = clause, part.id
        for level, (value, clause) in part.service.items():
            service[level] = value
            key = service_key(level)
            clauses[key], sources[key] = clause, part.id
        for key, (value, unit, clause) in part.params.items():
            params[key], units[key] = value, unit
            clauses[key], sources[key] = clause, part.id
        for key, text in part.clauses.items():
            clauses[key], sources[key] = text, part.id
    toilet_cells = frozenset(cell for cell, allowed in toilet.items() if allowed)
    return RuleSet(
        versions=tuple((p.id, p.label, p.source) for p in parts),
        office_limits=MappingProxyType(office),
        grade_equivalence=MappingProxyType(ranks),
        service_allowance=MappingProxyType(service),
        toilet_grades=frozenset(grade for _, grade in toilet_cells),
        params=MappingProxyType(params),
        clauses=MappingProxyType(clauses),
        sources=MappingProxyType(sources),
        toilet_cells=toilet_cells,
        units=MappingProxyType(units),
    )


def rulesets_for(region_paths: Iterable[str], on: datetime.date) -> dict[str, RuleSet]:
    """The RuleSet of each region path on ``on``, in a constant number of queries.

    The national version in force (latest ``effective_from`` ≤ ``on``, not ended), overlaid by
    every local version in force whose region contains the place: the most general first, and
    for one region the earlier first; the most specific (then the latest) wins, figure by figure.
    Raises :class:`NoStandardInForce` when no national version is in force.
    """
    national, local = _versions_in_force(on)
    rows = load_rows([national, *local])
    by_region: dict[str, list[VersionRows]] = defaultdict(list)
    for version in local:  # already ordered by effective_from, pk
        by_region[version.region.path].append(rows[version.pk])
    built: dict[tuple[int, ...], RuleSet] = {}
    result: dict[str, RuleSet] = {}
    for raw in region_paths:
        path = normalize_path(raw)
        applicable = [r for prefix in region_prefixes(path) for r in by_region.get(prefix, ())]
        key = tuple(r.id for r in applicable)
        ruleset = built.get(key)
        if ruleset is None:
            ruleset = built[key] = combine([rows[national.pk], *applicable])
        result[raw] = ruleset
    return result


def ruleset_for(region_path: str, on: datetime.date) -> RuleSet:
    """The RuleSet in force for the region with this path (``Region.path``) on ``on``."""
    return rulesets_for([region_path], on)[region_path]


def parent_path(path: str) -> str:
    prefixes = region_prefixes(path)
    return prefixes[-2] if len(prefixes) > 1 else ""


# Ceilings of local figures ---------------------------------------------------------------------
@dataclass(frozen=True)
class Ceiling:
    """The most a local version may set for one cell; ``None`` = the cell may not be set."""

    area: Decimal | None
    reason: str


def office_limit_ceilings(version: StandardVersion) -> dict[tuple[str, str], Ceiling]:
    """For a local version: the ceiling of each cell on its effective date.

    A local version may only be stricter than what applies above it (the national version and
    the local versions of enclosing regions); a 乡级 cell, which the national table leaves to the
    province, may be at most the national 县级 县处级副职 figure (DESIGN §4.1).
    """
    on = version.effective_from
    above_path = parent_path(version.region.path)
    sets = rulesets_for(["", above_path], on)
    national, above = sets[""], sets[above_path]
    county_vice = national.office_limit(AdminLevel.COUNTY, Grade.VICE_DIVISION)
    ceilings: dict[tuple[str, str], Ceiling] = {}
    for level in LEVELS:
        for grade in GRADES:
            inherited = above.office_limit(level, grade)
            source = above.source_of(office_key(level, grade))
            source_label = source[1] if source else "国家标准"
            if level == AdminLevel.TOWNSHIP:
                if county_vice is None:
                    ceilings[(level, grade)] = Ceiling(None, "国家标准中没有县级副职的面积标准。")
                elif inherited is not None and inherited < county_vice:
                    ceilings[(level, grade)] = Ceiling(
                        inherited,
                        f"地方标准只能比上级适用的标准更严：“{source_label}”中此项为 "
                        f"{inherited} 平方米。",
                    )
                else:
                    ceilings[(level, grade)] = Ceiling(
                        county_vice,
                        f"乡级机关的面积标准不得超过国家标准县级副职的 {county_vice} 平方米"
                        "（《党政机关办公用房建设标准》表1）。",
                    )
            elif inherited is None:
                ceilings[(level, grade)] = Ceiling(
                    None,
                    f"国家标准中{AdminLevel(level).label}没有“{Grade(grade).label}”的面积标准，"
                    "地方标准不能增设（乡级除外）。",
                )
            else:
                ceilings[(level, grade)] = Ceiling(
                    inherited,
                    f"地方标准只能比上级适用的标准更严：“{source_label}”中此项为 {inherited} 平方米。",
                )
    return ceilings


def office_limit_errors(version: StandardVersion, limits: Iterable[OfficeLimit]) -> list[str]:
    """Why each of ``limits`` exceeds its ceiling under ``version`` (empty when none does)."""
    limits = list(limits)
    if not limits or version.kind != VersionKind.LOCAL or version.region_id is None:
        return []
    try:
        ceilings = office_limit_ceilings(version)
    except NoStandardInForce:
        return [
            f"{version.effective_from:%Y-%m-%d} 没有有效的国家标准版本，地方标准须在国家标准生效后生效。"
        ]
    errors = []
    for limit in limits:
        ceiling = ceilings[(limit.standard_level, limit.grade)]
        if ceiling.area is None or Decimal(limit.area) > ceiling.area:
            cell = f"{AdminLevel(limit.standard_level).label}{Grade(limit.grade).label}"
            errors.append(f"{cell} {Decimal(limit.area):.2f} 平方米超出上限：{ceiling.reason}")
    return errors


# Pages ------------------------------------------------------------------------------------------
def _index(keys: tuple[str, ...], key: str) -> int:
    return keys.index(key) if key in keys else len(keys)


def _national_for(on: datetime.date) -> RuleSet | None:
    try:
        return ruleset_for("", on)
    except NoStandardInForce:
        return None


def version_detail(user, version: StandardVersion) -> dict[str, Any]:
    """What a version's page shows: the 表1 grid, its other rows, and for a local version the
    national figure each of its rows replaces."""
    limits = {(r.standard_level, r.grade): r for r in version.office_limits.all().order_by("pk")}
    national = None if version.is_national else _national_for(version.effective_from)

    def national_value(mapping_name: str, key) -> Any:
        if national is None:
            return None
        return getattr(national, mapping_name).get(key)

    def national_grade(title: str) -> str | None:
        grade = national_value("grade_equivalence", title)
        return Grade(grade).label if grade else None

    def national_param(key: str) -> str | None:
        value = national_value("params", key)
        return format_value(value, national.units.get(key, "")) if value is not None else None

    grid = []
    for level in LEVELS:
        cells = []
        for grade in GRADES:
            row = limits.get((level, grade))
            cells.append(
                {
                    "grade": grade,
                    "row": row,
                    "national": national_value("office_limits", (level, grade)),
                }
            )
        grid.append({"level": level, "label": AdminLevel(level).label, "cells": cells})
    overrides = [
        {"row": row, "national": national_value("office_limits", cell)}
        for cell, row in sorted(
            limits.items(), key=lambda kv: (LEVELS.index(kv[0][0]), GRADES.index(kv[0][1]))
        )
    ]
    return {
        "grid": grid,
        "grades": [(g, Grade(g).label) for g in GRADES],
        "office_limits": overrides,
        "equivalences": [
            {"row": r, "national": national_grade(r.rank_title)}
            for r in version.grade_equivalences.all()
        ],
        "allowances": [
            {"row": r, "national": national_value("service_allowance", r.standard_level)}
            for r in version.service_allowances.all()
        ],
        "parameters": [
            {"row": r, "national": national_param(r.key)}
            for r in sorted(version.parameters.all(), key=lambda r: _index(PARAM_KEYS, r.key))
        ],
        "clauses": sorted(version.clauses.all(), key=lambda c: _index(CLAUSE_KEYS, c.key)),
        "national": national,
        "can_write": can_write_version(user, version),
        "in_force_today": version.in_force_on(timezone.localdate()),
    }


def _versions_info(ruleset: RuleSet) -> dict[int, dict[str, Any]]:
    ids = [vid for vid, _, _ in ruleset.versions]
    info = {}
    for v in StandardVersion.objects.filter(pk__in=ids).select_related("region"):
        info[v.pk] = {
            "id": v.pk,
            "name": v.name,
            "source": v.source,
            "kind": v.kind,
            "kind_display": v.get_kind_display(),
            "region": v.region.name if v.region_id else None,
            "region_code": v.region.code if v.region_id else None,
            "effective_from": v.effective_from,
            "effective_to": v.effective_to,
            "object": v,
        }
    return info


def explain(ruleset: RuleSet) -> dict[str, Any]:
    """The combined RuleSet laid out for a page or the API: each figure with its source."""
    versions = _versions_info(ruleset)

    def src(key: str) -> dict[str, Any] | None:
        return versions.get(ruleset.sources.get(key))

    grid = []
    office = []
    for level in LEVELS:
        cells = []
        for grade in GRADES:
            area = ruleset.office_limit(level, grade)
            key = office_key(level, grade)
            cell = {
                "standard_level": level,
                "standard_level_display": AdminLevel(level).label,
                "grade": grade,
                "grade_display": Grade(grade).label,
                "area": area,
                "toilet_allowed": ruleset.toilet_allowed(level, grade),
                "clause": ruleset.clause(key) if area is not None else "",
                "version": src(key) if area is not None else None,
            }
            cells.append(cell)
            if area is not None:
                office.append(cell)
        grid.append({"level": level, "label": AdminLevel(level).label, "cells": cells})
    ranks = [
        {
            "rank_title": title,
            "grade": grade,
            "grade_display": Grade(grade).label,
            "clause": ruleset.clause(rank_key(title)),
            "version": src(rank_key(title)),
        }
        for title, grade in sorted(
            ruleset.grade_equivalence.items(), key=lambda kv: (GRADES.index(kv[1]), kv[0])
        )
    ]
    allowances = [
        {
            "standard_level": level,
            "standard_level_display": AdminLevel(level).label,
            "per_capita": ruleset.service_allowance[level],
            "clause": ruleset.clause(service_key(level)),
            "version": src(service_key(level)),
        }
        for level in LEVELS
        if level in ruleset.service_allowance
    ]
    params = [
        {
            "key": key,
            "label": PARAM_LABELS[key],
            "value": ruleset.params[key],
            "unit": ruleset.units.get(key, ""),
            "display": format_value(ruleset.params[key], ruleset.units.get(key, "")),
            "clause": ruleset.clause(key),
            "version": src(key),
        }
        for key in PARAM_KEYS
        if key in ruleset.params
    ]
    clauses = [
        {
            "key": key,
            "label": CLAUSE_LABELS[key],
            "text": ruleset.clauses[key],
            "version": src(key),
        }
        for key in CLAUSE_KEYS
        if key in ruleset.clauses
    ]
    return {
        "versions": [versions[vid] for vid, _, _ in ruleset.versions if vid in versions],
        "grid": grid,
        "grades": [(g, Grade(g).label) for g in GRADES],
        "office_limits": office,
        "grade_equivalence": ranks,
        "service_allowance": allowances,
        "params": params,
        "clauses": clauses,
        "toilet_grades": sorted(ruleset.toilet_grades, key=GRADES.index),
        "missing_params": [k for k in PARAM_KEYS if k not in ruleset.params],
        "record": ruleset.as_record(),
    }


# Re-judging after an edit --------------------------------------------------------------------------
def recheck_key(version_id: int) -> str:
    """Where the background re-check after an edit of the version records its progress (the
    compliance app runs it; this page only reads it)."""
    return f"standards:recheck:{version_id}"


def recheck_progress(version: StandardVersion) -> dict[str, Any] | None:
    """The latest re-check of the places ``version`` applies to: state, batches done, figures."""
    from ..framework.progress import get_progress

    return get_progress(recheck_key(version.pk))
