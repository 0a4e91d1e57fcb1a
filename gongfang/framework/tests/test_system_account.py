"""The system's own writes (jobs, automatic checks) are logged under the account name "system";
pages name it 系统 rather than show the code."""

from __future__ import annotations

from django.test import TestCase

from ...registry.tests.world import WorldMixin
from ..changelog import record_change, serialize_object
from ..models import ObjectChange
from ..templatetags.gongfang import account_name


class SystemAccountTests(WorldMixin, TestCase):
    def test_filter(self):
        self.assertEqual(account_name("system"), "系统")
        self.assertEqual(account_name("zz_bureau"), "zz_bureau")

    def test_an_object_change_log_names_the_system(self):
        room = self.world.a.room
        before = serialize_object(room)
        room.name = "档案室（系统核查）"
        room.save()
        record_change(actor=None, instance=room, action=ObjectChange.Action.UPDATE, before=before)
        self.client.force_login(self.user_with_perm)
        page = self.client.get(room.get_absolute_url())
        self.assertContains(page, "档案室（系统核查）")
        self.assertContains(page, '<td class="text-nowrap">系统</td>', html=True)
        self.assertNotContains(page, ">system<")
