"""The vehicle standards applied: caps table-driven over every category and body class, the
national seed, a local version, quota and new-energy share edge cases, renewal conditions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ...accounts.roles import Role
from ...framework.services import service_for
from ...registry.tests import factories as rf
from ...registry.tests.world import make_user
from ..choices import VehicleCategory
from ..data import national_2017
from ..models import Vehicle, VehicleQuota, VehicleStandard, VehicleStandardRow
from ..standards import (
    Share,
    check_purchase,
    check_quota,
    check_renewal,
    new_energy_share,
    standard_for,
)
from .factories import VehicleFactory

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 3, 1)
D = Decimal


@pytest.fixture
def org():
    province = rf.RegionFactory(code="450000", name="广西壮族自治区", level="province")
    city = rf.RegionFactory(code="450100", name="南宁市", level="city", parent=province)
    return rf.OrganizationFactory(name="南宁市公安局", region=city, level="city")


def test_national_version_is_seeded_with_every_category():
    standard = VehicleStandard.objects.get(name=national_2017.NAME)
    assert standard.is_national and standard.region_id is None
    categories = set(standard.rows.values_list("category", flat=True))
    assert categories == set(VehicleCategory.values)
    assert all(row.clause for row in standard.rows.all())
    keys = dict(standard.parameters.values_list("key", "value"))
    assert keys == {
        "new_energy_price_cap": D("180000"),
        "new_energy_share": D("0.3"),
        "new_energy_share_blocks": D("0"),
        "renewal_years": D("8"),
        "renewal_km": D("250000"),
    }


# (category, body, price, displacement, new_energy, justified, ok, phrase in the lines)
PURCHASES = [
    ("confidential", "sedan", 120_000, "1.6", False, False, True, "上限 12 万元"),
    ("confidential", "sedan", 120_001, "1.6", False, False, False, "超出上限"),
    ("confidential", "sedan", 110_000, "1.8", False, False, False, "排气量 1.8 升，上限 1.6 升"),
    ("confidential", "medium_bus", 200_000, "2.0", False, True, False, "没有此类别、车型"),
    ("confidential", "sedan", 175_000, None, True, False, True, "新能源轿车价格上限"),
    ("general", "sedan", 180_000, "1.8", False, False, True, "上限 18 万元"),
    ("general", "suv", 230_000, "2.5", False, False, False, "须说明"),
    ("general", "suv", 230_000, "2.5", False, True, True, "特殊情况配备标准"),
    ("general", "suv", 260_000, "2.5", False, True, False, "上限 25 万元"),
    ("general", "large_bus", 440_000, "6.7", False, True, True, "上限 45 万元"),
    ("general", "large_bus", 460_000, "6.7", False, True, False, "超出上限 1 万元"),
    ("general", "sedan", 185_000, None, True, False, False, "新能源轿车价格上限"),
    ("emergency", "sedan", 179_999, "1.5", False, False, True, "符合"),
    ("emergency", "medium_bus", 240_000, "2.8", False, True, True, "中型客车"),
    ("emergency", "medium_bus", 240_000, "3.2", False, True, False, "上限 3.0 升"),
    ("law_enforcement", "sedan", 119_000, "1.5", False, False, True, "上限 12 万元"),
    ("law_enforcement", "sedan", 150_000, "1.8", False, False, False, "须说明"),
    ("law_enforcement", "sedan", 150_000, "1.8", False, True, True, "18 万元"),
    ("law_enforcement", "sedan", 190_000, "1.8", False, True, False, "超出上限"),
    ("special", "special", 900_000, "6.0", False, False, True, "按行业标准审核"),
    ("special", "sedan", 300_000, "3.0", False, False, True, "无全国统一"),
    ("other", "mpv", 180_000, "1.8", False, False, True, "符合"),
    ("other", "special", 180_000, "1.8", False, False, False, "不能配备"),
]


@pytest.mark.parametrize(
    ("category", "body", "price", "displacement", "new_energy", "justified", "ok", "phrase"),
    PURCHASES,
)
def test_check_purchase(
    org, category, body, price, displacement, new_energy, justified, ok, phrase
):
    verdict = check_purchase(
        organization=org,
        category=category,
        price=D(price),
        displacement=D(displacement) if displacement else None,
        new_energy=new_energy,
        on=ON,
        body=body,
        justified=justified,
    )
    assert verdict.ok is ok, str(verdict)
    assert phrase in str(verdict)
    assert verdict.lines and all(
        line.rule and line.figures and line.verdict for line in verdict.lines
    )


def test_every_category_has_a_small_vehicle_rule(org):
    for category in VehicleCategory.values:
        verdict = check_purchase(
            organization=org,
            category=category,
            price=D(100_000),
            displacement=D("1.5"),
            new_energy=False,
            on=ON,
        )
        assert verdict.ok, (category, str(verdict))


def test_before_the_2017_version_nothing_applies(org):
    verdict = check_purchase(
        organization=org,
        category="general",
        price=D(100_000),
        displacement=D("1.5"),
        new_energy=False,
        on=datetime.date(2016, 1, 1),
    )
    assert not verdict.ok
    assert "没有此类别" in str(verdict)


def test_a_local_version_is_stricter_and_wins_inside_its_region(org):
    province = org.region.parent
    bureau = make_user("gx_bureau", [Role.BUREAU_ADMIN], scope_region=province)
    local, _ = service_for(VehicleStandard).create(
        actor=bureau,
        data={
            "name": "广西公务用车配备标准",
            "region": province,
            "source": "桂机管发〔2021〕1号",
            "effective_from": datetime.date(2021, 1, 1),
        },
    )
    service_for(VehicleStandardRow).create(
        actor=bureau,
        data={
            "standard": local,
            "category": "general",
            "body_class": "small",
            "price_cap": D(160_000),
            "displacement_cap": D("1.6"),
        },
    )
    verdict = check_purchase(
        organization=org,
        category="general",
        price=D(170_000),
        displacement=D("1.5"),
        new_energy=False,
        on=ON,
    )
    assert not verdict.ok
    assert "广西公务用车配备标准" in str(verdict)
    # Elsewhere the national figure applies.
    elsewhere = rf.OrganizationFactory(region=rf.RegionFactory(code="370000", level="province"))
    assert check_purchase(
        organization=elsewhere,
        category="general",
        price=D(170_000),
        displacement=D("1.5"),
        new_energy=False,
        on=ON,
    ).ok
    # Looser than national: refused, naming the national figure.
    with pytest.raises(ValidationError) as exc:
        service_for(VehicleStandardRow).create(
            actor=bureau,
            data={
                "standard": local,
                "category": "confidential",
                "body_class": "small",
                "price_cap": D(150_000),
                "displacement_cap": D("1.6"),
            },
        )
    assert "120000" in str(exc.value)
    assert standard_for(org.region, ON).row("general", "small", False).standard == local


def test_the_national_version_cannot_be_edited():
    national = VehicleStandard.objects.get(name=national_2017.NAME)
    province = rf.RegionFactory(code="450000", level="province")
    bureau = make_user("gx_bureau2", [Role.BUREAU_ADMIN], scope_region=province)
    row = national.rows.first()
    with pytest.raises(ValidationError):
        service_for(VehicleStandardRow).update(actor=bureau, instance=row, data={"price_cap": D(1)})


# Quota ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("quota", "held", "disposed", "adding", "replacing", "ok", "phrase"),
    [
        (None, 0, 0, 1, 0, False, "未核定编制"),
        (0, 0, 0, 1, 0, False, "超编 1 辆"),
        (3, 2, 0, 1, 0, True, "申报后 3 辆"),
        (3, 3, 0, 1, 0, False, "超编 1 辆"),
        (3, 3, 0, 1, 1, True, "更新替换 1 辆"),
        (3, 2, 5, 1, 0, True, "现有 2 辆"),
        (2, 4, 0, 1, 1, False, "超编 2 辆"),
    ],
)
def test_check_quota(org, quota, held, disposed, adding, replacing, ok, phrase):
    if quota is not None:
        VehicleQuota.objects.create(organization=org, category="law_enforcement", count=quota)
    for _ in range(held):
        VehicleFactory(organization=org, category="law_enforcement")
    for _ in range(disposed):
        VehicleFactory(organization=org, category="law_enforcement", status="disposed")
    VehicleFactory(organization=org, category="general")  # another category: not counted
    verdict = check_quota(
        organization=org, category="law_enforcement", adding=adding, replacing=replacing
    )
    assert verdict.ok is ok, str(verdict)
    assert phrase in str(verdict)


# New-energy share ----------------------------------------------------------------------------------
def _buy(org, year: int, *, petrol: int, electric: int) -> None:
    for i in range(petrol):
        VehicleFactory(organization=org, bought_on=datetime.date(year, 1 + i % 12, 1))
    for i in range(electric):
        VehicleFactory(
            organization=org,
            bought_on=datetime.date(year, 1 + i % 12, 2),
            energy="electric",
            displacement=None,
        )


def test_share_with_no_vehicles_bought(org):
    share = new_energy_share(org, 2025)
    assert share.total == 0 and share.share is None and share.meets is None
    line = share.line()
    assert line.ok and "无新增或更新车辆" in line.figures


def test_share_of_exactly_thirty_percent_meets_the_aim(org):
    _buy(org, 2025, petrol=7, electric=3)
    _buy(org, 2024, petrol=0, electric=5)  # another year: not counted
    share = new_energy_share(org, 2025)
    assert (share.total, share.new_energy) == (10, 3)
    assert share.share == D("0.3") and share.meets is True
    assert share.percent == "30.0%"
    assert "达到目标" in str(share.line())


def test_share_just_below_the_aim_never_shows_thirty_percent():
    # 2997 of 10000 = 29.97%: below 30%, shown rounded down.
    share = Share(2025, 10000, 2997, D("0.30"))
    assert share.meets is False
    assert share.percent == "29.9%"
    assert share.line().verdict == "未达到目标"


def test_share_counts_new_energy_from_energy(org):
    _buy(org, 2025, petrol=4, electric=1)
    VehicleFactory(organization=org, bought_on=datetime.date(2025, 5, 5), energy="plugin_hybrid")
    VehicleFactory(organization=org, bought_on=datetime.date(2025, 5, 6), energy="hybrid")
    share = new_energy_share(org, 2025)
    assert (share.total, share.new_energy) == (7, 2)
    assert share.percent == "28.5%"
    assert Vehicle.objects.filter(energy="hybrid").get().new_energy is False


# Renewal -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bought_on", "mileage", "ok"),
    [
        (datetime.date(2018, 3, 1), 10_000, True),  # exactly 8 years
        (datetime.date(2018, 3, 2), 10_000, False),  # one day short
        (datetime.date(2024, 1, 1), 250_000, True),  # mileage reached
        (datetime.date(2024, 1, 1), 249_999, False),
    ],
)
def test_check_renewal(org, bought_on, mileage, ok):
    vehicle = VehicleFactory(organization=org, bought_on=bought_on, mileage=mileage)
    verdict = check_renewal(vehicle=vehicle, on=ON)
    assert verdict.ok is ok, str(verdict)
    assert "满 8 年" in str(verdict) and "满 250,000 公里" in str(verdict)
