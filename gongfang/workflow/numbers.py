"""Human case numbers: 枣机管调〔2026〕17号, one series per prefix and year, never reused.

A national definition's prefix (机管调) has no place in it; the number takes the first character
of the case's region (枣 for 枣庄市). A local definition's prefix is used as written.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import NumberCounter, ProcessDefinition


def number_prefix(definition: ProcessDefinition, region) -> str:
    if definition.region_id is None and region is not None:
        return f"{region.name[:1]}{definition.number_prefix}"
    return definition.number_prefix


def take_number(*, prefix: str, year: int) -> int:
    """The next number of the series (``prefix``, ``year``), held by the caller's transaction:
    the counter row is raised in one UPDATE, so two submissions never get the same number."""
    for _ in range(3):
        if NumberCounter.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1):
            return NumberCounter.objects.get(prefix=prefix, year=year).last
        try:
            with transaction.atomic():
                NumberCounter.objects.create(prefix=prefix, year=year, last=1)
            return 1
        except IntegrityError:  # created meanwhile by another submission: raise it instead
            continue
    raise RuntimeError(f"could not take a number for {prefix} {year}")


def format_number(prefix: str, year: int, n: int) -> str:
    return f"{prefix}〔{year}〕{n}号"


def next_number(*, definition: ProcessDefinition, region, year: int) -> str:
    prefix = number_prefix(definition, region)
    return format_number(prefix, year, take_number(prefix=prefix, year=year))
