"""A small two-sided world for scope tests.

Side ``a`` lies in 滕州市 (370481), side ``b`` in 市中区 (370402), both under 枣庄市. Each side has
one object of every registry model. Accounts: a bureau admin, a supervisor (view only) and a unit
admin scoped to side ``a``, and an account with no business role.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...accounts.models import User
from ...accounts.roles import Role
from ..choices import AdminLevel, RegionLevel
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
from . import factories as f

PASSWORD = "Test@2026pass"


@dataclass
class Side:
    region: Region
    org: Organization
    sub_org: Organization
    quota: LeadershipQuota
    compound: Compound
    building: Building
    floor: Floor
    room: Room
    person: Person
    post: Post
    occupancy: Occupancy
    parking: ParkingLot
    canteen: Canteen


@dataclass
class World:
    province: Region
    city: Region
    a: Side
    b: Side


def _side(city: Region, code: str, name: str) -> Side:
    region = f.RegionFactory(code=code, name=name, level=RegionLevel.COUNTY, parent=city)
    org = f.OrganizationFactory(name=f"{name}教育局", region=region, level=AdminLevel.COUNTY)
    sub_org = f.OrganizationFactory(name=f"{name}教学研究室", region=region, parent=org)
    compound = f.CompoundFactory(name=f"{name}行政中心", region=region, owner_org=org)
    building = f.BuildingFactory(compound=compound, name="1号楼")
    floor = f.FloorFactory(building=building, number=1)
    room = f.RoomFactory(floor=floor, number="101", organization=org)
    person = f.PersonFactory(organization=org, number="001", name=f"{name}张三")
    return Side(
        region=region,
        org=org,
        sub_org=sub_org,
        quota=f.LeadershipQuotaFactory(organization=org),
        compound=compound,
        building=building,
        floor=floor,
        room=room,
        person=person,
        post=f.PostFactory(person=person, organization=sub_org),
        occupancy=f.OccupancyFactory(person=person, room=room),
        parking=f.ParkingLotFactory(compound=compound, name="地面停车场"),
        canteen=f.CanteenFactory(compound=compound, name="职工食堂"),
    )


def build_world() -> World:
    province = f.RegionFactory(code="370000", name="山东省", level=RegionLevel.PROVINCE)
    city = f.RegionFactory(code="370400", name="枣庄市", level=RegionLevel.CITY, parent=province)
    return World(
        province=province,
        city=city,
        a=_side(city, "370481", "滕州市"),
        b=_side(city, "370402", "市中区"),
    )


def make_user(username: str, roles: list[str], **scope) -> User:
    return User.objects.create_user(username, PASSWORD, name=username, roles=roles, **scope)


class WorldMixin:
    """Test-case mixin: the world and its accounts, built once per class."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.world = build_world()
        a = cls.world.a
        cls.user_with_perm = make_user("bureau_a", [Role.BUREAU_ADMIN], scope_region=a.region)
        cls.user_view_only = make_user("supervisor_a", [Role.SUPERVISOR], scope_region=a.region)
        cls.user_org_scoped = make_user("unit_a", [Role.UNIT_ADMIN], scope_organization=a.org)
        cls.user_no_role = make_user("sysadmin", [Role.SYS_ADMIN])
