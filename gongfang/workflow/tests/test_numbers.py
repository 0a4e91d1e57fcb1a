"""Case numbers: given once at the first submission, unique per prefix and year, even when two
submissions race."""

from __future__ import annotations

import pytest
from django.db import close_old_connections

from ...framework import clock
from ...framework.tests.test_concurrency import run_together
from ...registry.tests import factories as f
from ...registry.tests.world import build_world, make_user
from .. import services
from ..kinds import KINDS
from ..models import NumberCounter, ProcessDefinition
from ..numbers import next_number, number_prefix
from .conftest import KIND, TWO_STEPS, make_definition
from .kinds import RoomUseSpec


def test_numbers_count_up_and_are_kept_on_resubmission(submitted, unit_a, bureau_a):
    year = clock.today().year
    first, second = submitted(), submitted()
    assert first.number == f"枣机管变〔{year}〕1号"
    assert second.number == f"枣机管变〔{year}〕2号"
    returned = services.decide(actor=bureau_a, case=first, decision="return", comment="补充")
    again = services.submit_case(actor=unit_a, case=returned)
    assert again.number == first.number
    assert submitted().number == f"枣机管变〔{year}〕3号"


def test_a_national_definition_takes_the_regions_first_character(world, spec, new_case, unit_a):
    # No local definition: the national default of the data migration applies.
    ProcessDefinition.objects.filter(kind=KIND, region__isnull=False).delete()
    national = ProcessDefinition.objects.get(kind=KIND, region__isnull=True, is_active=True)
    assert national.number_prefix == "机管变"
    assert number_prefix(national, world.a.region) == "滕机管变"
    assert number_prefix(national, world.city) == "枣机管变"
    case = services.submit_case(actor=unit_a, case=new_case())
    assert case.definition == national
    assert case.number == f"滕机管变〔{clock.today().year}〕1号"


def test_series_are_per_prefix_and_year(world, definition):
    assert (
        next_number(definition=definition, region=world.a.region, year=2026)
        == "枣机管变〔2026〕1号"
    )
    assert (
        next_number(definition=definition, region=world.a.region, year=2027)
        == "枣机管变〔2027〕1号"
    )
    assert (
        next_number(definition=definition, region=world.a.region, year=2026)
        == "枣机管变〔2026〕2号"
    )
    assert NumberCounter.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_get_different_numbers():
    spec = RoomUseSpec()
    previous = KINDS.specs.get(KIND)
    KINDS.specs[KIND] = spec
    try:
        world = build_world()
        make_definition(world.city, TWO_STEPS)
        make_user("bureau_a", ["bureau_admin"], scope_region=world.a.region)
        unit = make_user("unit_a", ["unit_admin"], scope_organization=world.a.org)
        cases = []
        for i in range(4):
            room = f.RoomFactory(floor=world.a.floor, organization=world.a.org, number=f"N{i}")
            cases.append(
                services.create_case(
                    actor=unit,
                    kind=KIND,
                    applicant=world.a.org,
                    data={"room": room.pk, "subtype": "库房"},
                )
            )
        results = run_together(
            [lambda case=case: services.submit_case(actor=unit, case=case).number for case in cases]
        )
        close_old_connections()
        assert not [r for r in results if isinstance(r, Exception)], results
        year = clock.today().year
        assert sorted(results) == sorted(f"枣机管变〔{year}〕{n}号" for n in range(1, 5))
    finally:
        if previous is None:
            KINDS.specs.pop(KIND, None)
        else:
            KINDS.specs[KIND] = previous
