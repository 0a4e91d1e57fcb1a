"""References and filters by natural key: an integrating system names objects as it knows them
(a region's code, a unit's 统一社会信用代码, a person's unit + number, a room's floor + number)."""

from __future__ import annotations

from django.test import TestCase
from rest_framework.test import APIClient

from .. import models as m
from .world import WorldMixin

API = "/api/registry"


class NaturalKeyReferenceTests(WorldMixin, TestCase):
    def setUp(self):
        self.a = self.world.a
        self.client = APIClient()
        self.client.force_login(self.user_with_perm)

    def floor_key(self, side=None) -> dict:
        side = side or self.a
        return {
            "building": {
                "compound": {"region": side.region.code, "name": side.compound.name},
                "name": side.building.name,
            },
            "number": side.floor.number,
        }

    def test_a_room_is_created_with_its_floor_and_unit_by_natural_key(self):
        response = self.client.post(
            f"{API}/rooms/",
            {
                "floor": self.floor_key(),
                "number": "305",
                "category": "office",
                "subtype": "一般工作人员办公室",
                "usable_area": "16.00",
                "building_area": "22.00",
                "organization": self.a.org.uscc,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        room = m.Room.objects.get(pk=response.json()["id"])
        assert room.floor == self.a.floor and room.organization == self.a.org

    def test_an_occupancy_names_its_person_and_room_by_natural_key(self):
        room = m.Room.objects.create(
            floor=self.a.floor,
            number="306",
            category="office",
            subtype="一般工作人员办公室",
            usable_area="12.00",
            building_area="18.00",
            organization=self.a.org,
        )
        response = self.client.post(
            f"{API}/occupancies/",
            {
                "person": {"organization": self.a.org.uscc, "number": self.a.person.number},
                "room": {"floor": {"building": self.a.building.pk, "number": 1}, "number": "306"},
                "started_on": "2025-01-01",
                "is_primary": False,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        occupancy = m.Occupancy.objects.get(pk=response.json()["id"])
        assert occupancy.person == self.a.person and occupancy.room == room

    def test_an_object_outside_the_scope_is_not_found_by_its_key_either(self):
        response = self.client.patch(
            f"{API}/rooms/{self.a.room.pk}/",
            {"organization": self.world.b.org.uscc},
            format="json",
        )
        assert response.status_code == 400
        assert "不存在或超出您的管辖范围" in response.json()["organization"][0]
        response = self.client.patch(
            f"{API}/rooms/{self.a.room.pk}/", {"floor": self.floor_key(self.world.b)}, format="json"
        )
        assert response.status_code == 400

    def test_a_malformed_key_is_refused_in_chinese(self):
        for value, fragment in (
            ({"building": self.a.building.pk}, "须且只须给出 building、number"),
            ({"building": self.a.building.pk, "number": 1, "x": 1}, "须且只须给出"),
            ({"building": self.a.building.pk, "number": "一楼"}, "不是有效的值"),
            ({"building": {"name": "1号楼"}, "number": 1}, "须且只须给出 compound、name"),
            ([1, 2], "编号"),
        ):
            response = self.client.patch(
                f"{API}/rooms/{self.a.room.pk}/", {"floor": value}, format="json"
            )
            assert response.status_code == 400, value
            assert fragment in str(response.json()["floor"]), (value, response.json())

    def test_ids_still_work(self):
        response = self.client.patch(
            f"{API}/rooms/{self.a.room.pk}/", {"organization": self.a.sub_org.pk}, format="json"
        )
        assert response.status_code == 200, response.json()


class NaturalKeyFilterTests(WorldMixin, TestCase):
    def setUp(self):
        self.client = APIClient()
        self.client.force_login(self.user_with_perm)

    def ids(self, url: str) -> set[int]:
        response = self.client.get(url)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    def test_a_unit_by_its_code(self):
        a = self.world.a
        assert self.ids(f"{API}/rooms/?organization={a.org.uscc}") == {a.room.pk}
        assert self.ids(f"{API}/persons/?organization={a.org.uscc.lower()}") == {a.person.pk}

    def test_a_region_by_its_code(self):
        a = self.world.a
        assert self.ids(f"{API}/regions/?parent={a.region.code}") == set()  # it has no children
        assert self.ids(f"{API}/compounds/?region={a.region.code}") == {a.compound.pk}
        # The city lies outside bureau_a's scope: its code is unknown to it.
        assert self.client.get(f"{API}/regions/?parent=370400").status_code == 400

    def test_an_unknown_or_hidden_code_is_400(self):
        response = self.client.get(f"{API}/rooms/?organization={self.world.b.org.uscc}")
        assert response.status_code == 400


class NestedCreateTests(WorldMixin, TestCase):
    """A room with its occupants in one call, all or nothing."""

    def setUp(self):
        self.a = self.world.a
        self.client = APIClient()
        self.client.force_login(self.user_with_perm)

    def room_data(self, occupants: list) -> dict:
        return {
            "floor": {"building": self.a.building.pk, "number": self.a.floor.number},
            "number": "401",
            "category": "office",
            "subtype": "一般工作人员办公室",
            "usable_area": "16.00",
            "building_area": "22.00",
            "organization": self.a.org.uscc,
            "occupants": occupants,
        }

    def test_a_room_is_created_with_its_occupants(self):
        person = {"organization": self.a.org.uscc, "number": self.a.person.number}
        response = self.client.post(
            f"{API}/rooms/",
            self.room_data([{"person": person, "started_on": "2025-03-01", "is_primary": False}]),
            format="json",
        )
        assert response.status_code == 201, response.json()
        room = m.Room.objects.get(pk=response.json()["id"])
        assert list(room.occupancies.values_list("person", flat=True)) == [self.a.person.pk]
        assert "occupants" not in response.json()

    def test_one_bad_occupant_saves_nothing(self):
        person = {"organization": self.a.org.uscc, "number": self.a.person.number}
        response = self.client.post(
            f"{API}/rooms/",
            self.room_data(
                [
                    {"person": person, "started_on": "2025-03-01", "is_primary": False},
                    {"person": self.world.b.person.pk, "started_on": "2025-03-01"},
                ]
            ),
            format="json",
        )
        assert response.status_code == 400
        assert "不存在或超出您的管辖范围" in str(response.json()["occupants"])
        assert not m.Room.objects.filter(floor=self.a.floor, number="401").exists()

    def test_occupants_only_on_create(self):
        response = self.client.patch(
            f"{API}/rooms/{self.a.room.pk}/",
            {"occupants": [{"person": self.a.person.pk, "started_on": "2025-03-01"}]},
            format="json",
        )
        assert response.status_code == 400
        assert "只能在新建房间时" in str(response.json()), response.json()
