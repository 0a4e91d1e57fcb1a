"""Uniqueness messages in Chinese that read as a sentence (issue 10, point 13): not Django's
"具有 统一社会信用代码 的 单位 已存在。" but "统一社会信用代码为“…”的单位已存在。"."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.test import TestCase

from ...accounts.models import User
from ...registry.models import Organization, Room
from ...registry.tests.world import WorldMixin


class UniqueMessageTests(WorldMixin, TestCase):
    def test_a_unique_field_names_itself_and_the_value(self):
        org = self.world.a.org
        dup = Organization(name="重复单位", uscc=org.uscc, region=org.region)
        with self.assertRaises(ValidationError) as caught:
            dup.validate_unique()
        (message,) = caught.exception.message_dict["uscc"]
        self.assertEqual(message, f"统一社会信用代码为“{org.uscc}”的单位已存在。")
        self.assertNotIn(" ", message)

    def test_fields_together_are_named_each_with_its_value(self):
        # The models' own constraints carry their messages; one without gets this sentence.
        room = self.world.a.room
        error = Room(floor=room.floor, number=room.number).unique_error_message(
            Room, ("floor", "number")
        )
        self.assertEqual(
            error.message, f"楼层为“{room.floor}”、房间号为“{room.number}”的房间已存在。"
        )

    def test_an_accounts_name(self):
        User.objects.create_user("taken", "x")
        with self.assertRaises(ValidationError) as caught:
            User(username="taken").validate_unique()
        self.assertEqual(caught.exception.messages, ["账号为“taken”的账号已存在。"])
