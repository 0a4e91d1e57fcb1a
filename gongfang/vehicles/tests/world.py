"""The registry's two-sided world with a small fleet on each side.

Each side (``a`` 滕州市, ``b`` 市中区) gets a vehicle of its organization with a driver, a quota,
a fuel card and a fuel record, a repair shop of its region with a repair, an insurance policy, an
annual inspection, and a local vehicle standard of its region with a row and a parameter.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from ...registry.tests.world import WorldMixin
from ..models import (
    AnnualInspection,
    FuelCard,
    FuelRecord,
    InsurancePolicy,
    RepairRecord,
    RepairShop,
    VehicleQuota,
    VehicleStandard,
    VehicleStandardParameter,
    VehicleStandardRow,
)
from .factories import DriverFactory, VehicleFactory, make_plate

ON = datetime.date(2026, 1, 10)


def _fleet(side, serial: int) -> None:
    side.vehicle = VehicleFactory(
        organization=side.org, plate=make_plate(serial, letter="D"), mileage=50_000
    )
    side.driver = DriverFactory(organization=side.org, name=f"{side.region.name}司机")
    side.vehicle_quota = VehicleQuota.objects.create(
        organization=side.org, category="general", count=2
    )
    side.fuel_card = FuelCard.objects.create(vehicle=side.vehicle, number=f"100011{serial:06d}")
    side.fuel_record = FuelRecord.objects.create(
        vehicle=side.vehicle,
        card=side.fuel_card,
        filled_on=ON,
        litres=Decimal("45.00"),
        amount=Decimal("350.00"),
        odometer=49_800,
    )
    side.shop = RepairShop.objects.create(name=f"{side.region.name}汽修厂", region=side.region)
    side.repair = RepairRecord.objects.create(
        vehicle=side.vehicle,
        shop=side.shop,
        repaired_on=ON,
        amount=Decimal("800.00"),
        odometer=49_900,
        description="更换机油、机滤",
    )
    side.policy = InsurancePolicy.objects.create(
        vehicle=side.vehicle,
        insurer="中国人民财产保险",
        start_on=datetime.date(2026, 1, 1),
        end_on=datetime.date(2026, 12, 31),
        premium=Decimal("950.00"),
    )
    side.inspection = AnnualInspection.objects.create(
        vehicle=side.vehicle, due_on=datetime.date(2026, 6, 1)
    )
    side.standard = VehicleStandard.objects.create(
        name=f"{side.region.name}公务用车配备标准",
        kind="local",
        region=side.region,
        source="地方文件",
        effective_from=datetime.date(2025, 1, 1),
    )
    side.standard_row = VehicleStandardRow.objects.create(
        standard=side.standard,
        category="general",
        body_class="small",
        price_cap=Decimal("160000"),
        displacement_cap=Decimal("1.6"),
    )
    side.standard_parameter = VehicleStandardParameter.objects.create(
        standard=side.standard, key="new_energy_share", value=Decimal("0.4"), unit="比例"
    )


class VehiclesWorldMixin(WorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        _fleet(cls.world.a, 1)
        _fleet(cls.world.b, 2)
