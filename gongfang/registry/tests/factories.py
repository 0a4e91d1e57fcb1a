"""factory-boy factories for the registry: valid objects with their derived paths set."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import factory

from ..choices import AdminLevel, Grade, OrganizationKind, RegionLevel, RoomCategory
from ..models import (
    Building,
    Canteen,
    Compound,
    Floor,
    LeadershipQuota,
    Occupancy,
    Organization,
    ParkingLot,
    Person,
    Post,
    Region,
    Room,
)
from ..uscc import make_uscc

_org_serial = itertools.count(1)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{370000 + n * 100}")
    name = factory.Sequence(lambda n: f"测试区划{n}")
    level = RegionLevel.COUNTY
    parent = None
    path = factory.LazyAttribute(lambda o: (o.parent.path if o.parent else "") + f"{o.code}/")


def _uscc(org) -> str:
    body = f"{next(_org_serial):08d}"
    return make_uscc("11", org.region.code[:6], body)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = OrganizationKind.GOVERNMENT
    level = AdminLevel.COUNTY
    region = factory.SubFactory(RegionFactory)
    parent = None
    staffing_quota = 20
    uscc = factory.LazyAttribute(_uscc)

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        obj.path = obj.compute_path()
        if create:
            Organization.objects.filter(pk=obj.pk).update(path=obj.path)


class LeadershipQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadershipQuota

    organization = factory.SubFactory(OrganizationFactory)
    grade = Grade.DIVISION
    count = 1


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    name = factory.Sequence(lambda n: f"测试院落{n}")
    region = factory.SubFactory(RegionFactory)
    owner_org = factory.SubFactory(OrganizationFactory, region=factory.SelfAttribute("..region"))
    address = "测试路 1 号"


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    compound = factory.SubFactory(CompoundFactory)
    name = factory.Sequence(lambda n: f"{n}号楼")
    floors_above = 5
    floors_below = 1
    building_area = Decimal("3000.00")
    usable_area = Decimal("2000.00")
    height_class = "multi"
    year_built = 2005


class FloorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Floor

    building = factory.SubFactory(BuildingFactory)
    number = 1


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    floor = factory.SubFactory(FloorFactory)
    number = factory.Sequence(lambda n: f"{101 + n}")
    category = RoomCategory.OFFICE
    subtype = "一般工作人员办公室"
    usable_area = Decimal("18.00")
    building_area = Decimal("25.00")
    organization = factory.SubFactory(
        OrganizationFactory, region=factory.SelfAttribute("..floor.building.compound.region")
    )


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organization = factory.SubFactory(OrganizationFactory)
    number = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"测试人员{n}")
    grade = Grade.STAFF
    position = "科员"


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    position = "兼任主任"
    grade = Grade.SECTION
    started_on = datetime.date(2024, 1, 1)


class OccupancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occupancy

    person = factory.SubFactory(PersonFactory)
    room = factory.SubFactory(RoomFactory)
    started_on = datetime.date(2024, 1, 1)
    is_primary = True


class ParkingLotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParkingLot

    compound = factory.SubFactory(CompoundFactory)
    name = factory.Sequence(lambda n: f"停车场{n}")
    kind = "surface"
    spaces = 40


class CanteenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Canteen

    compound = factory.SubFactory(CompoundFactory)
    name = factory.Sequence(lambda n: f"食堂{n}")
    usable_area = Decimal("300.00")
    seats = 120
