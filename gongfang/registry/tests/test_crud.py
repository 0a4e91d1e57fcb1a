"""Page and API tests of every registry model, from declared data (see framework.testing)."""

from __future__ import annotations

from typing import Any, ClassVar

from ...framework.services import service_for
from ...framework.testing import APITestCases, ViewTestCases
from .. import models as m
from .world import Side, WorldMixin


class RegistryTestData(WorldMixin):
    """Objects come from the world: ``attr`` names the object of each side."""

    attr: ClassVar[str]

    def side(self, in_scope: bool) -> Side:
        return self.world.a if in_scope else self.world.b

    def in_scope_object(self):
        return getattr(self.world.a, self.attr)

    def out_of_scope_object(self):
        return getattr(self.world.b, self.attr)

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return self.data_for(self.side(in_scope))

    def deletable_object(self):
        data = {self.model._meta.get_field(k).attname: v for k, v in self.create_data().items()}
        obj, _ = service_for(self.model).create(actor=self.user_with_perm, data=data)
        return obj


class RegionData(RegistryTestData):
    model = m.Region
    attr = "region"

    def data_for(self, s: Side):
        code = f"{s.region.code}901"
        return {"code": code, "name": "测试街道", "level": "township", "parent": s.region.pk}

    def update_data(self):
        return {"name": "滕州市（更名）"}


class OrganizationData(RegistryTestData):
    model = m.Organization
    attr = "org"

    def data_for(self, s: Side):
        return {
            "name": "新设事务中心",
            "kind": "institution",
            "level": "county",
            "region": s.region.pk,
            "parent": s.org.pk,
            "staffing_quota": 0,
            "institution_staffing_quota": 6,
            "status": "active",
        }

    def update_data(self):
        return {"staffing_quota": 25}


class LeadershipQuotaData(RegistryTestData):
    model = m.LeadershipQuota
    attr = "quota"

    def data_for(self, s: Side):
        return {"organization": s.sub_org.pk, "grade": "vice_division", "count": 2}

    def update_data(self):
        return {"count": 3}


class CompoundData(RegistryTestData):
    model = m.Compound
    attr = "compound"

    def data_for(self, s: Side):
        return {
            "name": "新建院落",
            "region": s.region.pk,
            "owner_org": s.org.pk,
            "address": "学院路 8 号",
        }

    def update_data(self):
        return {"address": "学院路 9 号"}


class BuildingData(RegistryTestData):
    model = m.Building
    attr = "building"

    def data_for(self, s: Side):
        return {
            "compound": s.compound.pk,
            "name": "综合楼",
            "floors_above": 3,
            "floors_below": 0,
            "building_area": "1000.00",
            "usable_area": "700.00",
            "height_class": "multi",
            "title_status": "certified",
        }

    def update_data(self):
        return {"usable_area": "1900.50"}


class FloorData(RegistryTestData):
    model = m.Floor
    attr = "floor"

    def data_for(self, s: Side):
        return {"building": s.building.pk, "number": 2, "name": "二层"}

    def update_data(self):
        return {"name": "一层（办事大厅）"}


class RoomData(RegistryTestData):
    model = m.Room
    attr = "room"

    def data_for(self, s: Side):
        return {
            "floor": s.floor.pk,
            "number": "102",
            "category": "office",
            "subtype": "一般工作人员办公室",
            "usable_area": "16.00",
            "organization": s.org.pk,
            "status": "in_use",
        }

    def update_data(self):
        return {"usable_area": "17.50"}


class PersonData(RegistryTestData):
    model = m.Person
    attr = "person"

    def data_for(self, s: Side):
        return {
            "organization": s.org.pk,
            "number": "002",
            "name": "李四",
            "grade": "staff",
            "staffing_kind": "administrative",
            "employment_status": "active",
        }

    def update_data(self):
        return {"position": "副科长"}


class PostData(RegistryTestData):
    model = m.Post
    attr = "post"

    def data_for(self, s: Side):
        return {
            "person": s.person.pk,
            "organization": s.sub_org.pk,
            "position": "兼任副主任",
            "grade": "vice_section",
            "started_on": "2025-03-01",
        }

    def update_data(self):
        return {"position": "兼任办公室主任"}


class OccupancyData(RegistryTestData):
    model = m.Occupancy
    attr = "occupancy"

    def data_for(self, s: Side):
        return {
            "person": s.person.pk,
            "room": s.room.pk,
            # Before the side's own occupancy of the room (2024-01-01 on): no overlap.
            "started_on": "2023-01-01",
            "ended_on": "2023-12-31",
            "is_primary": False,
        }

    def update_data(self):
        return {"ended_on": "2025-06-30"}


class ParkingLotData(RegistryTestData):
    model = m.ParkingLot
    attr = "parking"

    def data_for(self, s: Side):
        return {"compound": s.compound.pk, "name": "地下车库", "kind": "underground", "spaces": 80}

    def update_data(self):
        return {"spaces": 55}


class CanteenData(RegistryTestData):
    model = m.Canteen
    attr = "canteen"

    def data_for(self, s: Side):
        return {"compound": s.compound.pk, "name": "二食堂", "usable_area": "150.00", "seats": 60}

    def update_data(self):
        return {"seats": 150}


DATA = [
    RegionData,
    OrganizationData,
    LeadershipQuotaData,
    CompoundData,
    BuildingData,
    FloorData,
    RoomData,
    PersonData,
    PostData,
    OccupancyData,
    ParkingLotData,
    CanteenData,
]

# One page test class and one API test class per model, generated from the declarations above.
for _data in DATA:
    _name = _data.model.__name__
    globals()[f"Test{_name}Views"] = type(
        f"Test{_name}Views", (_data, ViewTestCases.PrimaryObjectViewTestCase), {}
    )
    globals()[f"Test{_name}API"] = type(
        f"Test{_name}API", (_data, APITestCases.APIViewTestCase), {}
    )
del _data, _name
