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


@pytest.fixture(autouse=True)
def waiver_requests():
    """The approval engine stood in for: each bureau admin's 暂不整改 / 备案 request is recorded
    and numbered here (the cases app's handler, which opens a real case, is tested there)."""
    from .. import hooks

    requests = []

    def handler(*, actor, warning, action, reason):
        requests.append({"actor": actor, "warning": warning.pk, "action": action, "reason": reason})
        return hooks.WaiverRequest(number=f"机管缓〔2026〕{len(requests)}号", url="/cases/1/")

    previous = hooks.waiver_handler()
    hooks.register_waiver_handler(handler)
    yield requests
    if previous is None:
        hooks.unregister_waiver_handler()
    else:
        hooks.register_waiver_handler(previous)


@pytest.fixture
def no_waiver_handler(waiver_requests):
    """No approval engine installed: a bureau admin names the approver and the waiver is
    immediate (the behaviour compliance keeps on its own)."""
    from .. import hooks

    hooks.unregister_waiver_handler()
    yield
