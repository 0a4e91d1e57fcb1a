"""The registry as of a past date: change after the date, get the old rows and figures back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from ...accounts.roles import Role
from ...framework.services import service_for
from ..asof import (
    count_as_of,
    group_sum_as_of,
    rows_as_of,
    rows_at_moments,
    states_as_of,
    sum_as_of,
)
from ..choices import RoomCategory
from ..models import Room
from . import factories as f
from .world import WorldMixin, make_user

FIELDS = ["organization", "category", "usable_area", "number"]


class AsOfTests(WorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.bureau = make_user("bureau_city", [Role.BUREAU_ADMIN], scope_region=cls.world.city)
        a = cls.world.a
        cls.room2 = f.RoomFactory(floor=a.floor, number="102", organization=a.org)

    def setUp(self):
        self.at = timezone.now()
        self.service = service_for(Room)

    def rows(self, **filters):
        return {r["id"]: r for r in rows_as_of(Room, at=self.at, fields=FIELDS, filters=filters)}

    def test_unchanged_rows_are_todays(self):
        rows = self.rows()
        room = self.world.a.room
        self.assertEqual(
            rows[room.pk],
            {
                "id": room.pk,
                "organization": room.organization_id,
                "category": room.category,
                "usable_area": room.usable_area,
                "number": "101",
            },
        )
        self.assertEqual(len(rows), Room.objects.count())

    def test_area_edit_after_the_date_is_undone(self):
        room = self.world.a.room
        self.service.update(actor=self.bureau, instance=room, data={"usable_area": Decimal("24")})
        self.assertEqual(self.rows()[room.pk]["usable_area"], Decimal("18.00"))
        self.assertEqual(
            sum_as_of(
                Room, at=self.at, field="usable_area", filters={"organization": room.organization}
            ),
            Decimal("36.00"),
        )
        # Today's figure has moved on.
        self.assertEqual(
            sum_as_of(
                Room,
                at=timezone.now(),
                field="usable_area",
                filters={"organization": room.organization},
            ),
            Decimal("42.00"),
        )

    def test_two_edits_give_the_state_before_the_first(self):
        room = self.world.a.room
        self.service.update(actor=self.bureau, instance=room, data={"usable_area": Decimal("20")})
        middle = timezone.now()
        self.service.update(actor=self.bureau, instance=room, data={"usable_area": Decimal("22")})
        at_start = rows_as_of(Room, at=self.at, fields=["usable_area"], filters={"pk": room.pk})
        at_middle = rows_as_of(Room, at=middle, fields=["usable_area"], filters={"pk": room.pk})
        self.assertEqual(at_start[0]["usable_area"], Decimal("18.00"))
        self.assertEqual(at_middle[0]["usable_area"], Decimal("20.00"))

    def test_category_change_counts_in_the_old_category(self):
        room = self.world.a.room
        self.service.update(
            actor=self.bureau,
            instance=room,
            data={"category": RoomCategory.SERVICE, "subtype": ""},
        )
        office = {"category": RoomCategory.OFFICE, "organization": self.world.a.org.pk}
        self.assertEqual(count_as_of(Room, at=self.at, filters=office), 2)
        self.assertEqual(count_as_of(Room, at=timezone.now(), filters=office), 1)
        groups = group_sum_as_of(
            Room,
            at=self.at,
            by="category",
            field="usable_area",
            filters={"organization": self.world.a.org.pk},
        )
        self.assertEqual(groups, {RoomCategory.OFFICE: (2, Decimal("36.00"))})

    def test_moved_room_belongs_to_its_old_organization(self):
        a, b = self.world.a, self.world.b
        self.service.update(actor=self.bureau, instance=a.room, data={"organization": b.org})
        # By the reference and through the related organization's path alike.
        old = self.rows(organization=a.org.pk)
        self.assertIn(a.room.pk, old)
        self.assertIn(a.room.pk, self.rows(organization__path__startswith=a.org.path))
        self.assertNotIn(a.room.pk, self.rows(organization__path__startswith=b.org.path))
        self.assertEqual(old[a.room.pk]["organization"], a.org.pk)
        today = rows_as_of(Room, at=timezone.now(), fields=[], filters={"organization": a.org})
        self.assertNotIn(a.room.pk, {r["id"] for r in today})

    def test_room_created_after_the_date_did_not_exist(self):
        room, _ = self.service.create(
            actor=self.bureau,
            data={
                "floor": self.world.a.floor,
                "number": "199",
                "category": RoomCategory.OFFICE,
                "usable_area": Decimal("15"),
                "organization": self.world.a.org,
            },
        )
        self.assertNotIn(room.pk, self.rows())
        self.assertIn(room.pk, {r["id"] for r in rows_as_of(Room, at=timezone.now(), fields=[])})
        self.assertEqual(states_as_of(Room, at=self.at, ids=[room.pk]), {room.pk: None})

    def test_room_deleted_after_the_date_comes_back(self):
        room = self.room2
        pk = room.pk
        self.service.delete(actor=self.bureau, instance=room)
        rows = self.rows(
            floor__building__compound__region__path__startswith=self.world.a.region.path
        )
        self.assertEqual(rows[pk]["number"], "102")
        self.assertEqual(rows[pk]["usable_area"], Decimal("18.00"))
        self.assertNotIn(pk, {r["id"] for r in rows_as_of(Room, at=timezone.now(), fields=[])})

    def test_created_then_deleted_between_dates(self):
        room, _ = self.service.create(
            actor=self.bureau,
            data={
                "floor": self.world.a.floor,
                "number": "198",
                "category": RoomCategory.OFFICE,
                "usable_area": Decimal("15"),
                "organization": self.world.a.org,
            },
        )
        middle, pk = timezone.now(), room.pk
        self.service.delete(actor=self.bureau, instance=room)
        self.assertNotIn(pk, self.rows())
        self.assertIn(pk, {r["id"] for r in rows_as_of(Room, at=middle, fields=[], filters={})})

    def test_filters_judge_the_old_values(self):
        room = self.world.a.room
        self.service.update(actor=self.bureau, instance=room, data={"usable_area": Decimal("24")})
        big = self.rows(usable_area__gte=Decimal("20"))
        self.assertNotIn(room.pk, big)
        small = self.rows(usable_area__lt=Decimal("20"), category__in=[RoomCategory.OFFICE])
        self.assertIn(room.pk, small)

    def test_several_moments_match_one_at_a_time(self):
        room = self.world.a.room
        self.service.update(actor=self.bureau, instance=room, data={"usable_area": Decimal("20")})
        middle = timezone.now()
        self.service.update(
            actor=self.bureau, instance=room, data={"organization": self.world.b.org}
        )
        deleted = self.room2.pk
        self.service.delete(actor=self.bureau, instance=self.room2)
        moments = [self.at, middle, timezone.now()]
        together = rows_at_moments(Room, moments=moments, fields=FIELDS)
        self.assertEqual(together, [rows_as_of(Room, at=m, fields=FIELDS) for m in moments])
        self.assertEqual(
            [{r["id"]: r["usable_area"] for r in rows}[room.pk] for rows in together],
            [Decimal("18.00"), Decimal("20.00"), Decimal("20.00")],
        )
        self.assertEqual(
            [deleted in {r["id"] for r in rows} for rows in together], [True, True, False]
        )
        # A room unchanged since the first moment is read once and shared.
        unchanged = self.world.b.room.pk
        first, *others = ({r["id"]: r for r in rows}[unchanged] for rows in together)
        self.assertTrue(all(other is first for other in others))

    def test_unknown_field_is_refused(self):
        with self.assertRaises(ValueError):
            rows_as_of(Room, at=self.at, fields=["no_such_field"])


class AsOfPageTests(WorldMixin, TestCase):
    """The room list as of yesterday: today's edits undone, on the page, its export and the API."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.bureau = make_user("bureau_city", [Role.BUREAU_ADMIN], scope_region=cls.world.city)

    def setUp(self):
        from ...framework import clock

        self.yesterday = f"{clock.today() - timedelta(days=1)}"
        room = self.world.a.room
        service_for(Room).update(
            actor=self.bureau,
            instance=room,
            data={"usable_area": Decimal("24"), "organization": self.world.b.org},
        )

    def test_page_and_export_show_the_old_rooms(self):
        self.client.force_login(self.bureau)
        url = reverse("registry:room_list_asof")
        page = self.client.get(url, {"as_of": self.yesterday, "region": "370481"})
        self.assertEqual(page.status_code, 200)
        text = page.content.decode()
        self.assertIn(f"房间（截至 {self.yesterday}）", text)
        self.assertIn("滕州市教育局", text)  # the room's holder then
        self.assertEqual(page.context["figures"]["usable_area"], Decimal("18.00"))
        unit = self.world.a.org.pk
        self.assertEqual(
            self.client.get(url, {"as_of": self.yesterday, "unit": unit}).context["figures"][
                "count"
            ],
            1,
        )
        today = self.client.get(url, {"as_of": f"{timezone.localdate()}", "unit": unit})
        self.assertEqual(today.context["figures"]["count"], 0)  # moved to 市中区's unit
        export = self.client.get(
            url, {"as_of": self.yesterday, "region": "370481", "export": "csv"}
        )
        body = export.content.decode("utf-8-sig")
        self.assertIn("使用面积（m²）", body.splitlines()[0])
        self.assertIn("18.00", body)

    def test_bad_dates_and_foreign_filters_are_named(self):
        self.client.force_login(self.user_org_scoped)
        url = reverse("registry:room_list_asof")
        self.assertContains(
            self.client.get(url, {"as_of": "2025-13-01"}), "截至日期“2025-13-01”无效"
        )
        self.assertContains(self.client.get(url, {"as_of": "2999-01-01"}), "截至日期不能晚于今天")
        foreign = self.client.get(url, {"as_of": self.yesterday, "unit": self.world.b.org.pk})
        self.assertContains(foreign, "所选单位不存在或不在管辖范围内")
        self.assertContains(
            self.client.get(url, {"as_of": self.yesterday, "unit": "1e3"}), "所选单位"
        )

    def test_api_parameter(self):
        self.client.force_login(self.bureau)
        url = reverse("api:registry:room-list")
        answer = self.client.get(url, {"as_of": self.yesterday, "unit": self.world.a.org.pk})
        self.assertEqual(answer.status_code, 200, answer.content)
        data = answer.json()
        self.assertEqual(data["usable_area"], "18.00")
        self.assertEqual([r["id"] for r in data["results"]], [self.world.a.room.pk])
        self.assertEqual(data["results"][0]["organization"], self.world.a.org.pk)
        bad = self.client.get(url, {"as_of": "yesterday"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("截至日期", bad.json()["detail"])
