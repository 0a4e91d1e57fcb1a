"""Read-only fields in a write (issue 10, point 8): one rule across the API.

A read-only field sent with the object's current value is ignored, so a client can PUT back what
it GOT; sent with another value it is refused with 400 and a Chinese message naming the field.
"""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from ...accounts.models import User
from ...accounts.roles import Role
from ...registry.tests.world import PASSWORD, WorldMixin, make_user


class ReadOnlyFieldsTests(WorldMixin, TestCase):
    client_class = APIClient

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sys = make_user("ro_sys", [Role.SYS_ADMIN])
        cls.clerk = User.objects.create_user("ro_clerk", PASSWORD, name="职员")

    def room_url(self) -> str:
        return reverse("api:registry:room-detail", args=[self.world.a.room.pk])

    def test_a_room_put_back_as_it_was_read_is_accepted(self):
        self.client.force_login(self.user_with_perm)
        body = self.client.get(self.room_url()).json()
        body["name"] = "改名后的房间"
        response = self.client.put(self.room_url(), body, format="json")
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.assertEqual(response.json()["name"], "改名后的房间")

    def test_a_changed_read_only_field_is_refused_naming_it(self):
        self.client.force_login(self.user_with_perm)
        current = self.client.get(self.room_url()).json()
        for name, value in (
            ("id", current["id"] + 1000),
            ("display", "别的名称"),
            ("version", current["version"] + 5),
            ("created_at", "2001-01-01T00:00:00+08:00"),
            ("category_display", "会议室"),
        ):
            with self.subTest(field=name):
                response = self.client.patch(self.room_url(), {name: value}, format="json")
                self.assertEqual(response.status_code, 400)
                message = response.json()[name][0]
                self.assertIn(f"（{name}）是只读字段", message)
        self.world.a.room.refresh_from_db()
        self.assertEqual(self.world.a.room.version, current["version"])

    def test_notices_about_the_last_answer_are_ignored(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.patch(
            self.room_url(), {"notices": ["上次的提醒"], "name": "新名称"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content.decode())

    def test_read_only_fields_on_a_create_are_refused_unless_empty(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("api:registry:room-list")
        body = self.client.get(self.room_url()).json()
        response = self.client.post(url, {**body, "number": "9901"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("id", response.json())
        self.assertIn("新建时不能填写", response.json()["id"][0])

    def test_patching_an_accounts_roles_is_refused(self):
        self.client.force_login(self.sys)
        url = reverse("api:accounts:user-detail", args=[self.clerk.pk])
        response = self.client.patch(url, {"roles": [Role.LEADER]}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("“角色”（roles）是只读字段", response.json()["roles"][0])
        self.clerk.refresh_from_db()
        self.assertEqual(self.clerk.roles, [])
        # What the API answered, sent back with a new name: accepted.
        body = self.client.get(url).json()
        body["name"] = "新姓名"
        response = self.client.put(url, body, format="json")
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.clerk.refresh_from_db()
        self.assertEqual(self.clerk.name, "新姓名")
        response = self.client.patch(url, {"username": "renamed"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("username", response.json())
