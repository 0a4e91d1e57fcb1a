"""The registry's area ceilings (``registry.plausibility``) from the versioned rule parameters."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from ..framework import clock
from ..registry.plausibility import CEILING_KEYS, AreaCeiling
from .models import PARAM_LABELS, RuleParameter, VersionKind, region_prefixes


def area_ceilings(region_path: str) -> dict[str, AreaCeiling]:
    """The ceilings in force today for the place with this path, in one query: the national
    figure, overridden by the local versions whose region contains the place — the most specific,
    then the latest, wins, as ``selectors.rulesets_for`` combines every figure."""
    rows = (
        RuleParameter.objects.in_force(clock.today())
        .filter(key__in=CEILING_KEYS)
        .filter(
            Q(version__kind=VersionKind.NATIONAL)
            | Q(version__region__path__in=region_prefixes(region_path or ""))
        )
        .values_list(
            "key",
            "value",
            "version__name",
            "version__region__path",
            "version__effective_from",
            "version_id",
        )
    )
    ceilings: dict[str, AreaCeiling] = {}
    for key, value, name, *_ in sorted(rows, key=lambda r: (len(r[3] or ""), r[4], r[5])):
        ceilings[key] = AreaCeiling(Decimal(f"{value.normalize():f}"), PARAM_LABELS[key], name)
    return ceilings
