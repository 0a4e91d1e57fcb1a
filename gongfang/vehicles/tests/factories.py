"""Factories of vehicles' models, with valid plates and VINs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from ...registry.tests.factories import OrganizationFactory
from ..models import Driver, Vehicle
from ..validators import vin_check_digit

# World manufacturer identifiers of Chinese makers (LFV FAW-VW, LSV SAIC-VW, LGB Dongfeng Nissan,
# LGX BYD, LNB BAIC).
WMIS = ("LFV", "LSV", "LGB", "LGX", "LNB")
YEAR_CODES = "HJKLMNPRST"  # 2017 … 2026


def make_vin(serial: int, *, wmi: str = "LFV", year_code: str = "M") -> str:
    """A valid VIN: maker, descriptor, the check digit worked out, year, plant and serial."""
    body = f"{wmi}2A21K0{year_code}A{serial % 1_000_000:06d}"
    return body[:8] + vin_check_digit(body) + body[9:]


def make_plate(
    serial: int, *, province: str = "鲁", letter: str = "D", electric: bool = False
) -> str:
    if electric:
        return f"{province}{letter}D{serial % 100_000:05d}"
    return f"{province}{letter}{serial % 100_000:05d}"


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    organization = factory.SubFactory(OrganizationFactory)
    region = factory.SelfAttribute("organization.region")
    plate = factory.Sequence(lambda n: make_plate(n + 1))
    vin = factory.Sequence(lambda n: make_vin(n + 1))
    category = "general"
    body = "sedan"
    brand = "大众"
    model_name = "帕萨特 1.4T"
    energy = "petrol"
    displacement = Decimal("1.4")
    price = Decimal("178000")
    seats = 5
    bought_on = datetime.date(2020, 6, 1)
    mileage = 60000


class DriverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Driver

    organization = factory.SubFactory(OrganizationFactory)
    region = factory.SelfAttribute("organization.region")
    name = factory.Sequence(lambda n: f"驾驶员{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    license_class = "C1"
    license_expires_on = datetime.date(2030, 1, 1)
