"""Invariants of DESIGN §3 enforced by services: clear Chinese messages, nothing half written."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from ...accounts.roles import Role
from ...framework.models import ObjectChange
from ...framework.services import service_for
from .. import models as m
from . import factories as f
from .world import WorldMixin, make_user


class ServiceInvariantTests(WorldMixin, TestCase):
    def update(self, obj, **data):
        return service_for(type(obj)).update(actor=self.user_with_perm, instance=obj, data=data)

    def create(self, model, **data):
        return service_for(model).create(actor=self.user_with_perm, data=data)

    def assert_refused(self, field, fragment, fn, *args, **kwargs):
        changes_before = ObjectChange.objects.count()
        with pytest.raises(ValidationError) as exc:
            fn(*args, **kwargs)
        messages = (
            exc.value.message_dict.get(field)
            if hasattr(exc.value, "error_dict")
            else exc.value.messages
        )
        assert messages, exc.value
        assert any(fragment in msg for msg in messages), messages
        assert ObjectChange.objects.count() == changes_before

    def test_room_usable_area_above_its_building_area(self):
        room = self.world.a.room
        self.assert_refused(
            "usable_area", "不能大于该房间的建筑面积", self.update, room, usable_area=Decimal("30")
        )
        room.refresh_from_db()
        assert room.usable_area == Decimal("18.00")

    def test_area_must_be_positive(self):
        self.assert_refused(
            "usable_area", "必须大于 0", self.update, self.world.a.room, usable_area=Decimal("-5")
        )
        self.assert_refused(
            "usable_area", "必须大于 0", self.update, self.world.a.room, usable_area=Decimal("0")
        )

    def test_room_number_unique_per_floor(self):
        a = self.world.a
        self.assert_refused(
            "__all__",
            "该楼层已有此房间号",
            self.create,
            m.Room,
            floor=a.floor,
            number="101",
            category="office",
            usable_area=Decimal("10"),
            organization=a.org,
        )

    def test_floor_number_within_building(self):
        a = self.world.a
        self.assert_refused(
            "number", "超出楼座", self.create, m.Floor, building=a.building, number=6
        )
        self.assert_refused(
            "number", "超出楼座", self.create, m.Floor, building=a.building, number=-2
        )
        self.assert_refused(
            "number", "不能为 0", self.create, m.Floor, building=a.building, number=0
        )

    def test_building_cannot_lose_registered_floors(self):
        self.assert_refused(
            "floors_above", "大于或等于1", self.update, self.world.a.building, floors_above=0
        )
        f.FloorFactory(building=self.world.a.building, number=4)
        self.assert_refused(
            "floors_above", "不能少于 4", self.update, self.world.a.building, floors_above=3
        )

    def test_fact_dates_not_in_future(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.assert_refused(
            "started_on", "晚于今天", self.update, self.world.a.occupancy, started_on=tomorrow
        )

    def test_subtype_must_match_category(self):
        self.assert_refused("subtype", "不属于", self.update, self.world.a.room, subtype="会议室")

    def test_invalid_uscc_is_named(self):
        self.assert_refused(
            "uscc", "统一社会信用代码", self.update, self.world.a.org, uscc="113704001234567890"
        )

    def test_sum_of_rooms_above_building_usable_area_gives_a_notice(self):
        a = self.world.a
        _, notices = self.update(a.building, usable_area=Decimal("18.00"))
        assert notices == []
        room2, notices = self.create(
            m.Room,
            floor=a.floor,
            number="102",
            category="office",
            usable_area=Decimal("5"),
            organization=a.org,
        )
        assert notices and "已超过楼座使用面积" in notices[0]
        assert m.Room.objects.filter(pk=room2.pk).exists()

    def test_moving_an_object_out_of_scope_is_refused_and_rolled_back(self):
        a, b = self.world.a, self.world.b
        # Referring to a region outside the scope is refused before anything is written…
        self.assert_refused("region", "超出您的管辖范围", self.update, a.compound, region=b.region)
        # …and a write whose result falls outside the scope is undone inside its transaction.
        unit = make_user("unit_sub", [Role.UNIT_ADMIN], scope_organization=a.sub_org)
        room = f.RoomFactory(floor=a.floor, number="109", organization=a.sub_org)
        with pytest.raises(ValidationError) as exc:
            service_for(m.Room).update(
                actor=unit, instance=room, data={"organization": a.sub_org.parent}
            )
        assert "超出您的管辖范围" in str(exc.value)
        room.refresh_from_db()
        assert room.organization == a.sub_org

    def test_occupancy_person_and_room_must_be_in_writers_scope(self):
        a, b = self.world.a, self.world.b
        self.assert_refused(
            "room",
            "超出您的管辖范围",
            self.create,
            m.Occupancy,
            person=a.person,
            room=b.room,
            started_on=datetime.date(2025, 1, 1),
            is_primary=False,
        )

    def test_one_current_primary_office(self):
        a = self.world.a
        self.assert_refused(
            "__all__",
            "已有一间在用的主要办公室",
            self.create,
            m.Occupancy,
            person=a.person,
            room=a.room,
            started_on=datetime.date(2025, 1, 1),
            is_primary=True,
        )

    def test_organization_cycle_refused(self):
        a = self.world.a
        self.assert_refused("parent", "循环", self.update, a.org, parent=a.sub_org)

    def test_moving_an_organization_rewrites_its_subtree_paths(self):
        a = self.world.a
        grandchild = f.OrganizationFactory(region=a.region, parent=a.sub_org)
        new_parent = f.OrganizationFactory(region=a.region)
        self.update(a.sub_org, parent=new_parent)
        a.sub_org.refresh_from_db()
        grandchild.refresh_from_db()
        assert a.sub_org.path == f"{new_parent.path}{a.sub_org.pk}/"
        assert grandchild.path == f"{a.sub_org.path}{grandchild.pk}/"

    def test_region_path_follows_parent(self):
        town, _ = self.create(
            m.Region,
            code="370481001",
            name="北辛街道",
            level="township",
            parent=self.world.a.region,
        )
        assert town.path == "370000/370400/370481/370481001/"

    def test_delete_of_used_object_names_dependants(self):
        with pytest.raises(ValidationError) as exc:
            service_for(m.Organization).delete(actor=self.user_with_perm, instance=self.world.a.org)
        assert "仍被" in exc.value.messages[0] and "无法删除" in exc.value.messages[0]
        assert m.Organization.objects.filter(pk=self.world.a.org.pk).exists()

    def test_view_only_account_cannot_write(self):
        with pytest.raises(PermissionDenied):
            service_for(m.Room).update(
                actor=self.user_view_only, instance=self.world.a.room, data={"name": "x"}
            )


class ChangeLogTests(WorldMixin, TestCase):
    def test_update_records_actor_before_and_after(self):
        room = self.world.a.room
        service_for(m.Room).update(
            actor=self.user_with_perm, instance=room, data={"usable_area": Decimal("16.5")}
        )
        change = ObjectChange.objects.get(action="update", changed_object_id=room.pk)
        assert change.user == self.user_with_perm
        assert change.prechange_data["usable_area"] == "18.00"
        assert change.postchange_data["usable_area"] == "16.50"
        assert ("usable_area", "18.00", "16.50") in change.diff

    def test_unchanged_update_records_nothing(self):
        room = self.world.a.room
        service_for(m.Room).update(
            actor=self.user_with_perm, instance=room, data={"usable_area": room.usable_area}
        )
        assert not ObjectChange.objects.filter(action="update").exists()

    def test_entries_cannot_be_edited_or_deleted(self):
        service_for(m.Room).update(
            actor=self.user_with_perm, instance=self.world.a.room, data={"name": "档案室"}
        )
        change = ObjectChange.objects.get()
        change.object_repr = "篡改"
        with pytest.raises(PermissionError):
            change.save()
        with pytest.raises(PermissionError):
            change.delete()

    def test_only_audit_admin_reads_the_global_log(self):
        service_for(m.Room).update(
            actor=self.user_with_perm, instance=self.world.a.room, data={"name": "档案室"}
        )
        auditor = make_user("auditor", [Role.AUDIT_ADMIN])
        assert ObjectChange.objects.restrict(auditor).count() == 1
        assert ObjectChange.objects.restrict(self.user_with_perm).count() == 0


class DatabaseConstraintTests(WorldMixin, TestCase):
    """The database holds the invariants it can even when code bypasses the services."""

    def test_positive_area_constraint(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            m.Room.objects.filter(pk=self.world.a.room.pk).update(usable_area=Decimal("-1"))

    def test_unique_room_number_constraint(self):
        a = self.world.a
        with pytest.raises(IntegrityError), transaction.atomic():
            m.Room.objects.bulk_create(
                [m.Room(floor=a.floor, number="101", category="office", usable_area=Decimal("9"))]
            )


class PhoneTests(WorldMixin, TestCase):
    def test_masked_phone_is_refused(self):
        person = self.world.a.person
        with pytest.raises(ValidationError) as exc:
            service_for(m.Person).update(
                actor=self.user_with_perm, instance=person, data={"phone": "138****1234"}
            )
        assert "已脱敏" in exc.value.message_dict["phone"][0]
        person.refresh_from_db()
        assert person.phone == ""

    def test_phone_characters(self):
        person = self.world.a.person
        service_for(m.Person).update(
            actor=self.user_with_perm, instance=person, data={"phone": "0632-3311234转8"}
        )
        with pytest.raises(ValidationError):
            service_for(m.Person).update(
                actor=self.user_with_perm, instance=person, data={"phone": "138abc"}
            )
