"""Actor rules resolved for a case: which role, which place."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from ...registry.tests.world import make_user
from ..actors import accounts_for, resolve
from ..models import Task


def case_of(org, counterparty=None):
    return SimpleNamespace(
        applicant=org, counterparty=counterparty, counterparty_id=getattr(counterparty, "pk", None)
    )


def test_unit_rules(world):
    a = world.a
    assert resolve("applicant_admin", case_of(a.sub_org)) == ("unit_admin", None, a.sub_org)
    # The 主管部门 is the parent organization; a top organization supervises itself.
    assert resolve("supervising_admin", case_of(a.sub_org))[2] == a.org
    assert resolve("supervising_admin", case_of(a.org))[2] == a.org
    assert resolve("counterparty_admin", case_of(a.org, world.b.org))[2] == world.b.org
    with pytest.raises(ValidationError):
        resolve("counterparty_admin", case_of(a.org))
    with pytest.raises(ValidationError):
        resolve("nobody", case_of(a.org))


def test_bureau_rules_climb_to_the_nearest_staffed_region(world):
    case = case_of(world.a.org)
    # Nobody anywhere: the applicant's region (the task waits for an account there).
    assert resolve("region_bureau", case).region == world.a.region
    assert resolve("upper_bureau", case).region == world.city
    # Only the city has a bureau account: the county's cases go to the city.
    make_user("city_bureau", ["bureau_admin"], scope_region=world.city)
    assert resolve("region_bureau", case).region == world.city
    assert resolve("upper_bureau", case).region == world.province  # strictly above the city
    # The county gets its own: it takes its cases; the city is the one above.
    make_user("bureau_a", ["bureau_admin"], scope_region=world.a.region)
    assert resolve("region_bureau", case).region == world.a.region
    assert resolve("upper_bureau", case).region == world.city
    # An inactive account or another role does not count.
    make_user("x", ["supervisor"], scope_region=world.b.region)
    other = make_user("y", ["bureau_admin"], scope_region=world.b.region)
    other.is_active = False
    other.save()
    assert resolve("region_bureau", case_of(world.b.org)).region == world.city


def test_leader_rules(world):
    case = case_of(world.a.org)
    make_user("city_leader", ["leader"], scope_region=world.city)
    make_user("bureau_a", ["bureau_admin"], scope_region=world.a.region)
    assert resolve("region_leader", case) == ("leader", world.city, None)
    # upper_leader: above the region the region_leader rule resolves to.
    make_user("province_leader", ["leader"], scope_region=world.province)
    assert resolve("upper_leader", case).region == world.province


def test_accounts_for_a_task_are_exactly_its_role_and_place(world):
    bureau = make_user("bureau_a", ["bureau_admin"], scope_region=world.a.region)
    make_user("leader_a", ["leader"], scope_region=world.a.region)
    make_user("city_bureau", ["bureau_admin"], scope_region=world.city)
    unit = make_user("unit_a", ["unit_admin"], scope_organization=world.a.org)
    task = Task(role="bureau_admin", region=world.a.region)
    assert accounts_for(task) == [bureau]
    assert accounts_for(Task(role="unit_admin", organization=world.a.org)) == [unit]
    assert accounts_for(Task(role="unit_admin", organization=world.a.sub_org)) == []
