# ruff: noqa: F811  (the engine's account fixtures are imported, then asked for by name)
"""The vehicle cases on the engine: what stops submission (table-driven over quota, caps,
new-energy cap, renewal, disposal to a full receiver), the verdict lines on the case page, and
the effects on approval (the car registered, the old one pending disposal, the disposal)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ...cases.tests.conftest import Driver
from ...registry.tests import factories as rf
from ...registry.tests.world import World, build_world
from ...workflow import services as engine
from ...workflow.choices import CaseKind, CaseState
from ...workflow.kinds import KINDS
from ...workflow.models import Case
from ...workflow.tests.conftest import bureau_a, leader_a, unit_a  # noqa: F401
from ..choices import DispatchState, VehicleStatus
from ..kinds import PURCHASE, register_vehicle
from ..models import Dispatch, Vehicle, VehicleQuota
from .factories import DriverFactory, VehicleFactory, make_plate, make_vin

TODAY = datetime.date.today()


@pytest.fixture
def world(db) -> World:
    world = build_world()
    VehicleQuota.objects.create(organization=world.a.org, category="general", count=2)
    VehicleQuota.objects.create(organization=world.a.org, category="law_enforcement", count=1)
    VehicleQuota.objects.create(organization=world.b.org, category="general", count=1)
    return world


@pytest.fixture
def old_car(world):
    """One general car of side a, bought nine years ago (due for renewal)."""
    return VehicleFactory(
        organization=world.a.org, bought_on=TODAY.replace(year=TODAY.year - 9), mileage=120_000
    )


@pytest.fixture
def driver(unit_a, bureau_a, leader_a) -> Driver:
    return Driver([unit_a, bureau_a, leader_a])


def purchase(**data) -> dict:
    base = {
        "category": "general",
        "body": "sedan",
        "energy": "electric",
        "price": "150000",
        "seats": "5",
        "reason": "原车辆已报废，工作需要",
    }
    base.update(data)
    return {k: v for k, v in base.items() if v is not None}


def test_the_kinds_are_registered():
    for kind in (CaseKind.VEHICLE_PURCHASE, CaseKind.VEHICLE_RENEWAL, CaseKind.VEHICLE_DISPOSAL):
        assert kind in KINDS


# (what, payload changes, cars of side a's general quota held first, phrase of the refusal)
REFUSED = [
    ("over quota", {}, 2, "超编 1 辆"),
    ("no quota", {"category": "confidential", "price": "100000"}, 0, "未核定此类别编制"),
    (
        "over price cap",
        {"energy": "petrol", "displacement": "1.5", "price": "260000"},
        0,
        "超出上限",
    ),
    (
        "over displacement cap",
        {"category": "law_enforcement", "energy": "petrol", "displacement": "2.0"},
        0,
        "排气量 2.0 升，上限 1.8 升",
    ),
    ("over new-energy price cap", {"price": "190000"}, 0, "新能源轿车价格上限"),
    (
        "exceptional without a reason",
        {"energy": "petrol", "displacement": "2.0", "price": "200000"},
        0,
        "须说明特殊情况",
    ),
]


@pytest.mark.parametrize("what,data,held,phrase", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_purchase_out_of_bounds_cannot_be_submitted(world, unit_a, what, data, held, phrase):
    for _ in range(held):
        VehicleFactory(organization=world.a.org)
    case = engine.create_case(
        actor=unit_a, kind=CaseKind.VEHICLE_PURCHASE, applicant=world.a.org, data=purchase(**data)
    )
    with pytest.raises(ValidationError) as ctx:
        engine.submit_case(actor=unit_a, case=case)
    assert any(phrase in m for m in ctx.value.messages), ctx.value.messages
    assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT


# (what, payload changes) that may be submitted
ACCEPTED = [
    ("electric within caps", {}),
    ("petrol within caps", {"energy": "petrol", "displacement": "1.5", "price": "175000"}),
    (
        "exceptional with its reason",
        {
            "energy": "petrol",
            "displacement": "2.0",
            "price": "200000",
            "exceptional_reason": "山区防汛应急保障",
        },
    ),
    ("special: set by the sector", {"category": "special", "price": "900000", "body": "special"}),
]


@pytest.mark.parametrize("what,data", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_a_purchase_within_bounds_is_submitted(world, unit_a, what, data):
    VehicleQuota.objects.create(organization=world.a.org, category="special", count=1)
    case = engine.create_case(
        actor=unit_a, kind=CaseKind.VEHICLE_PURCHASE, applicant=world.a.org, data=purchase(**data)
    )
    case = engine.submit_case(actor=unit_a, case=case)
    assert case.state == CaseState.SUBMITTED


def test_form_names_the_field(world, unit_a):
    with pytest.raises(ValidationError) as ctx:
        engine.create_case(
            actor=unit_a,
            kind=CaseKind.VEHICLE_PURCHASE,
            applicant=world.a.org,
            data=purchase(energy="petrol"),
        )
    assert "排气量" in ctx.value.message_dict["displacement"][0]
    with pytest.raises(ValidationError) as ctx:
        engine.create_case(
            actor=unit_a,
            kind=CaseKind.VEHICLE_PURCHASE,
            applicant=world.a.org,
            data=purchase(displacement="1.5"),
        )
    assert "纯电动" in ctx.value.message_dict["displacement"][0]


def test_purchase_approved_reserves_the_place_then_the_car_is_registered(
    world,
    unit_a,
    driver,
):
    case = driver.submit(
        actor=unit_a, kind=CaseKind.VEHICLE_PURCHASE, applicant=world.a.org, data=purchase()
    )
    case = driver.approve(case)
    assert case.state == CaseState.APPLIED
    assert case.result["vehicle"] is None
    # The approved place counts: a second purchase for the last place but one is over quota.
    VehicleFactory(organization=world.a.org)
    second = engine.create_case(
        actor=unit_a, kind=CaseKind.VEHICLE_PURCHASE, applicant=world.a.org, data=purchase()
    )
    with pytest.raises(ValidationError, match="待登记 1 辆"):
        engine.submit_case(actor=unit_a, case=second)
    # Registering: the price may not exceed the approved budget.
    data = {
        "plate": make_plate(777, electric=True),
        "vin": make_vin(777),
        "brand": "比亚迪",
        "model_name": "秦PLUS EV",
        "price": Decimal("160000"),
        "bought_on": TODAY,
    }
    with pytest.raises(ValidationError, match="超过批准的预算"):
        register_vehicle(actor=unit_a, case=case, data=data)
    vehicle = register_vehicle(actor=unit_a, case=case, data={**data, "price": Decimal("148000")})
    assert vehicle.organization == world.a.org
    assert (vehicle.category, vehicle.energy, vehicle.new_energy) == ("general", "electric", True)
    assert Case.objects.get(pk=case.pk).result["vehicle"] == vehicle.pk
    with pytest.raises(ValidationError, match="已登记"):
        register_vehicle(actor=unit_a, case=case, data={**data, "plate": make_plate(778)})
    # Now the place is held by the car itself, not twice.
    assert PURCHASE.verdict(Case.objects.get(pk=second.pk))[-1].figures.count("待登记") == 0


def test_quota_rechecked_at_approval(world, unit_a, driver):
    """Two purchases for the last place both submitted; the second one's approval is refused."""
    VehicleFactory(organization=world.a.org)
    first = driver.submit(
        actor=unit_a, kind=CaseKind.VEHICLE_PURCHASE, applicant=world.a.org, data=purchase()
    )
    second = driver.submit(
        actor=unit_a, kind=CaseKind.VEHICLE_PURCHASE, applicant=world.a.org, data=purchase()
    )
    assert driver.approve(first).state == CaseState.APPLIED
    second = driver.until_last_step(second)
    with pytest.raises(ValidationError, match="超编"):
        driver.step(second)
    assert Case.objects.get(pk=second.pk).state == CaseState.IN_REVIEW


def test_renewal_not_yet_due_cannot_be_submitted(world, unit_a):
    young = VehicleFactory(organization=world.a.org, bought_on=TODAY.replace(year=TODAY.year - 3))
    case = engine.create_case(
        actor=unit_a,
        kind=CaseKind.VEHICLE_RENEWAL,
        applicant=world.a.org,
        data={**purchase(category=None), "old_vehicle": young.pk},
    )
    with pytest.raises(ValidationError, match="未达到更新条件"):
        engine.submit_case(actor=unit_a, case=case)


def test_renewal_by_mileage_and_its_effect(world, unit_a, driver):
    worn = VehicleFactory(
        organization=world.a.org, bought_on=TODAY.replace(year=TODAY.year - 4), mileage=260_000
    )
    VehicleFactory(organization=world.a.org)  # the quota is full: a renewal replaces, it passes
    case = driver.submit(
        actor=unit_a,
        kind=CaseKind.VEHICLE_RENEWAL,
        applicant=world.a.org,
        data={**purchase(category=None), "old_vehicle": worn.pk},
    )
    case = driver.approve(case)
    assert case.state == CaseState.APPLIED
    worn.refresh_from_db()
    assert worn.status == VehicleStatus.PENDING_DISPOSAL
    vehicle = register_vehicle(
        actor=unit_a,
        case=case,
        data={
            "plate": make_plate(901, electric=True),
            "vin": make_vin(901),
            "brand": "比亚迪",
            "model_name": "汉EV",
            "price": Decimal("150000"),
            "bought_on": TODAY,
        },
    )
    assert vehicle.category == worn.category


def test_disposal_by_auction(world, unit_a, driver, old_car):
    case = driver.submit(
        actor=unit_a,
        kind=CaseKind.VEHICLE_DISPOSAL,
        applicant=world.a.org,
        data={"vehicle": old_car.pk, "method": "auction", "reason": "超过使用年限"},
    )
    driver.approve(case)
    old_car.refresh_from_db()
    assert (old_car.status, old_car.disposal_kind) == (VehicleStatus.DISPOSED, "auction")
    assert old_car.disposed_on == TODAY


def test_transfer_to_a_full_receiver_is_refused_and_to_a_free_one_moves_the_car(
    world,
    bureau_a,
    driver,
    old_car,
):
    """A transfer between units is drafted by the bureau (a unit sees only itself)."""
    receiver = rf.OrganizationFactory(name="滕州市文化局", region=world.a.region)
    VehicleQuota.objects.create(organization=receiver, category="general", count=1)
    VehicleFactory(organization=receiver)
    case = engine.create_case(
        actor=bureau_a,
        kind=CaseKind.VEHICLE_DISPOSAL,
        applicant=world.a.org,
        data={
            "vehicle": old_car.pk,
            "method": "transfer",
            "receiver": receiver.pk,
            "reason": "调剂使用",
        },
    )
    with pytest.raises(ValidationError, match="超编"):
        engine.submit_case(actor=bureau_a, case=case)
    VehicleQuota.objects.filter(organization=receiver).update(count=2)
    case = driver.approve(engine.submit_case(actor=bureau_a, case=case))
    old_car.refresh_from_db()
    assert old_car.organization == receiver
    assert old_car.region == receiver.region
    assert old_car.status == VehicleStatus.IN_USE


def test_disposal_of_a_car_on_the_road_is_refused(world, unit_a, old_car):
    from ...framework import clock

    now = clock.now()
    Dispatch.objects.create(
        organization=world.a.org,
        region=world.a.region,
        requested_by=unit_a,
        purpose="下乡调研",
        passengers=2,
        origin="单位",
        destination="乡镇",
        start_at=now,
        end_at=now + datetime.timedelta(hours=3),
        state=DispatchState.DEPARTED,
        vehicle=old_car,
        driver=DriverFactory(organization=world.a.org),
        start_mileage=old_car.mileage,
    )
    case = engine.create_case(
        actor=unit_a,
        kind=CaseKind.VEHICLE_DISPOSAL,
        applicant=world.a.org,
        data={"vehicle": old_car.pk, "method": "scrap", "reason": "报废"},
    )
    with pytest.raises(ValidationError, match="未完成的派车单"):
        engine.submit_case(actor=unit_a, case=case)


def test_case_page_shows_the_verdict_lines_and_the_register_form(
    world,
    unit_a,
    driver,
    client,
):
    case = engine.create_case(
        actor=unit_a,
        kind=CaseKind.VEHICLE_PURCHASE,
        applicant=world.a.org,
        data=purchase(price="190000"),
    )
    client.force_login(unit_a)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "标准与编制审查" in page
    assert "新能源轿车价格上限" in page and "超出上限 1 万元" in page
    assert "车辆编制" in page and "编制 2 辆，现有 0 辆" in page
    engine.update_case(actor=unit_a, case=case, data=purchase())
    case = driver.approve(engine.submit_case(actor=unit_a, case=Case.objects.get(pk=case.pk)))
    page = client.get(case.get_absolute_url()).content.decode()
    assert "登记所购车辆" in page
    response = client.post(
        reverse("vehicles:case_register_vehicle", args=[case.pk]),
        {
            "plate": make_plate(555, electric=True),
            "vin": make_vin(555),
            "brand": "比亚迪",
            "model_name": "秦PLUS EV",
            "price": "149000",
            "bought_on": TODAY.isoformat(),
        },
    )
    vehicle = Vehicle.objects.get(plate=make_plate(555, electric=True))
    assert response.status_code == 302 and response["Location"] == vehicle.get_absolute_url()


def test_only_the_applicant_registers(world, unit_a, bureau_a, driver):
    case = driver.approve(
        driver.submit(
            actor=unit_a, kind=CaseKind.VEHICLE_PURCHASE, applicant=world.a.org, data=purchase()
        )
    )
    with pytest.raises(PermissionDenied):
        register_vehicle(
            actor=bureau_a,
            case=case,
            data={"plate": make_plate(1), "vin": make_vin(1), "price": Decimal(1)},
        )
