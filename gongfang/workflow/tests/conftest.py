"""Fixtures of the engine's tests: the registry's two-sided world, accounts of every role, a
test kind and a two-step definition for 枣庄市 (bureau review, then the leader's signature)."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ...accounts.otp import current_code, provision_device
from ...accounts.roles import Role
from ...registry.tests.world import PASSWORD, World, build_world, make_user
from .. import services
from ..choices import CaseKind
from ..kinds import KINDS
from ..models import ProcessDefinition, StepDefinition
from .kinds import RoomUseSpec

KIND = CaseKind.CHANGE_OF_USE
REVIEW = ["approve", "return", "reject"]


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def spec(monkeypatch) -> RoomUseSpec:
    spec = RoomUseSpec()
    monkeypatch.setitem(KINDS.specs, KIND, spec)
    return spec


def make_definition(region, steps, *, revision=1, prefix="枣机管变", kind=KIND):
    definition = ProcessDefinition.objects.create(
        kind=kind,
        region=region,
        revision=revision,
        name="测试用途变更审批",
        effective_from=datetime.date(2020, 1, 1),
        number_prefix=prefix,
    )
    for order, (name, actors, actions, signature) in enumerate(steps, start=1):
        StepDefinition.objects.create(
            definition=definition,
            order=order,
            name=name,
            actors=actors,
            actions=actions,
            time_limit_days=5,
            needs_signature=signature,
        )
    return definition


TWO_STEPS = [
    ("机关事务管理局审核", ["region_bureau"], REVIEW, False),
    ("领导签批", ["region_leader"], REVIEW, True),
]


@pytest.fixture
def definition(world, spec):
    return make_definition(world.city, TWO_STEPS)


@pytest.fixture
def unit_a(world):
    return make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=world.a.org)


@pytest.fixture
def unit_b(world):
    return make_user("unit_b", [Role.UNIT_ADMIN], scope_organization=world.b.org)


@pytest.fixture
def bureau_a(world):
    return make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=world.a.region)


@pytest.fixture
def bureau_b(world):
    return make_user("bureau_b", [Role.BUREAU_ADMIN], scope_region=world.b.region)


@pytest.fixture
def leader_a(world):
    user = make_user("leader_a", [Role.LEADER], scope_region=world.a.region)
    provision_device(user=user)
    return user


@pytest.fixture
def city_bureau(world):
    return make_user("city_bureau", [Role.BUREAU_ADMIN], scope_region=world.city)


@pytest.fixture
def city_leader(world):
    user = make_user("city_leader", [Role.LEADER], scope_region=world.city)
    provision_device(user=user)
    return user


@pytest.fixture
def supervisor_a(world):
    return make_user("supervisor_a", [Role.SUPERVISOR], scope_region=world.a.region)


_rooms = itertools.count(1)


def code_for(user) -> str:
    """The authenticator's current code. A code is accepted once (django-otp keeps the last
    step used) and wrong codes make the device wait: both are reset first, as if the signer
    came back a minute later."""
    device = provision_device(user=user)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return current_code(device)


def sign(user) -> dict:
    return {"password": PASSWORD, "otp": code_for(user)}


@pytest.fixture
def new_case(world, definition, unit_a):
    """A factory: a draft by unit_a about a room of side a (a new room each time)."""
    from ...registry.tests import factories as f

    def make(subtype="档案室", **data):
        room = f.RoomFactory(
            floor=world.a.floor, organization=world.a.org, number=f"R{next(_rooms)}"
        )
        return services.create_case(
            actor=unit_a,
            kind=KIND,
            applicant=world.a.org,
            data={"room": room.pk, "subtype": subtype, **data},
        )

    return make


@pytest.fixture
def submitted(new_case, unit_a):
    def make(**data):
        return services.submit_case(actor=unit_a, case=new_case(**data))

    return make
