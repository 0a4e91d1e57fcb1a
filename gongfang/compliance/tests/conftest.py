"""Fixtures of the compliance tests: the registry's two-sided world, scanned, and its accounts."""

from __future__ import annotations

import pytest

from ...accounts.roles import Role
from ...registry.tests.world import World, build_world, make_user
from ..services import scan


@pytest.fixture
def world(db) -> World:
    """Side a (滕州市) and side b (市中区): each a county office of 18 m² held by one 科员
    (9 m²), so each side starts with one R1 warning once scanned."""
    world = build_world()
    scan()
    return world


@pytest.fixture
def bureau_a(world):
    return make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=world.a.region)


@pytest.fixture
def bureau_b(world):
    return make_user("bureau_b", [Role.BUREAU_ADMIN], scope_region=world.b.region)


@pytest.fixture
def unit_a(world):
    return make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)


@pytest.fixture
def leader_a(world):
    return make_user("leader_a", [Role.LEADER], scope_region=world.a.region)


@pytest.fixture
def supervisor_a(world):
    return make_user("supervisor_a", [Role.SUPERVISOR], scope_region=world.a.region)


@pytest.fixture
def city_leader(world):
    return make_user("city_leader", [Role.LEADER], scope_region=world.city)
