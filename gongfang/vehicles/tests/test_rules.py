# ruff: noqa: F811  (the engine's account fixtures are imported, then asked for by name)
"""Rules read from the vehicle standard rather than code: whether a missed new-energy share
stops a purchase (``new_energy_share_blocks``, warning by default), and the renewal age the
demo's old cars are dated by."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ...framework import clock
from ...framework.services import service_for
from ...registry.tests.world import World, build_world
from ...workflow import services as engine
from ...workflow.choices import CaseKind, CaseState
from ...workflow.tests.conftest import bureau_a, unit_a  # noqa: F401
from ..demo_dispatch import ensure_old_cars, old_car
from ..models import VehicleQuota, VehicleStandard, VehicleStandardParameter
from ..standards import share_blocks
from .factories import VehicleFactory
from .test_kinds import purchase

TODAY = clock.today()
PETROL = {"energy": "petrol", "displacement": "1.5", "price": "175000"}


@pytest.fixture
def world(db) -> World:
    world = build_world()
    VehicleQuota.objects.create(organization=world.a.org, category="general", count=5)
    VehicleQuota.objects.create(organization=world.b.org, category="general", count=5)
    return world


def local_standard(region) -> VehicleStandard:
    return VehicleStandard.objects.create(
        name=f"{region.name}公务用车配备标准",
        kind="local",
        region=region,
        source="县政府文件",
        effective_from=TODAY - datetime.timedelta(days=365),
    )


def petrol_purchase(unit, org):
    case = engine.create_case(
        actor=unit, kind=CaseKind.VEHICLE_PURCHASE, applicant=org, data=purchase(**PETROL)
    )
    return case


def test_a_missed_share_only_warns_under_the_national_standard(world, unit_a):
    assert share_blocks(world.a.region) is False
    case = engine.submit_case(actor=unit_a, case=petrol_purchase(unit_a, world.a.org))
    assert case.state == CaseState.SUBMITTED


def test_a_standard_that_blocks_stops_the_purchase(world, unit_a, bureau_a):
    standard = local_standard(world.a.region)
    # Edited with the standard, through its service, by the bureau of the region.
    service_for(VehicleStandardParameter).create(
        actor=bureau_a,
        data={
            "standard": standard,
            "key": "new_energy_share_blocks",
            "value": Decimal("1"),
            "clause": "县政府文件：新增及更新车辆新能源比例未达 30% 的不予审批。",
        },
    )
    assert share_blocks(world.a.region) is True and share_blocks(world.b.region) is False
    case = petrol_purchase(unit_a, world.a.org)
    with pytest.raises(ValidationError) as ctx:
        engine.submit_case(actor=unit_a, case=case)
    assert any("未达到目标，不能申报" in m for m in ctx.value.messages), ctx.value.messages
    # A new-energy car raises the share to 100%: the same standard lets it through.
    electric = engine.create_case(
        actor=unit_a, kind=CaseKind.VEHICLE_PURCHASE, applicant=world.a.org, data=purchase()
    )
    assert engine.submit_case(actor=unit_a, case=electric).state == CaseState.SUBMITTED


def test_the_switch_takes_only_zero_or_one(world, bureau_a):
    standard = local_standard(world.a.region)
    with pytest.raises(ValidationError, match="取值 1 表示未达标不能申报"):
        service_for(VehicleStandardParameter).create(
            actor=bureau_a,
            data={"standard": standard, "key": "new_energy_share_blocks", "value": Decimal("2")},
        )


def test_old_cars_are_dated_by_the_standards_renewal_age(world):
    VehicleFactory(organization=world.a.org, bought_on=TODAY - datetime.timedelta(days=400))
    standard = local_standard(world.a.region)
    VehicleStandardParameter.objects.create(
        standard=standard, key="renewal_years", value=Decimal("12"), unit="年"
    )
    ensure_old_cars(world.a.org, 2)
    car = old_car(world.a.org)
    assert car is not None
    assert car.bought_on <= TODAY.replace(year=TODAY.year - 12)
    # Under the national standard (8 years) a car of nine years is old; under this one it is not.
    VehicleFactory(organization=world.b.org, bought_on=TODAY.replace(year=TODAY.year - 9))
    assert old_car(world.b.org) is not None
