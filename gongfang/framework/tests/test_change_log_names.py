"""What an object's change log names: the system's own writes (jobs, automatic checks), logged
under the account name "system", read 系统; a foreign key, logged as an id, reads as its
object's name when the viewer may see that object."""

from __future__ import annotations

from django.test import TestCase

from ...registry.tests.world import WorldMixin
from ..changelog import record_change, serialize_object
from ..models import ObjectChange
from ..templatetags.gongfang import account_name


class ChangeLogNameTests(WorldMixin, TestCase):
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

    def test_a_foreign_key_change_names_the_objects(self):
        room = self.world.a.room
        before = serialize_object(room)
        old_org = room.organization
        room.organization = self.world.a.sub_org
        room.save()
        record_change(
            actor=self.user_with_perm,
            instance=room,
            action=ObjectChange.Action.UPDATE,
            before=before,
        )
        self.client.force_login(self.user_with_perm)
        page = self.client.get(room.get_absolute_url())
        self.assertContains(
            page,
            f'<del class="gf-before">{old_org}</del> → '
            f'<ins class="gf-after">{self.world.a.sub_org}</ins>',
        )
        self.assertNotContains(page, f">#{old_org.pk}<")


class EventKeyNamedLikeARelationTests(WorldMixin, TestCase):
    def test_an_event_key_named_like_a_reverse_relation_is_shown(self):
        """An event's data key may have the name of one of the object's reverse relations
        ("floors" of a building): it is shown as event data, not looked up as that relation."""
        from ..changelog import record_event

        building = self.world.a.building
        record_event(
            actor=self.user_with_perm,
            event="survey.apply",
            obj=building,
            data={"floors": [{"number": 1, "rooms": 3}], "rooms": 3},
        )
        self.client.force_login(self.user_with_perm)
        page = self.client.get(building.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        entry = ObjectChange.objects.filter(event="survey.apply").latest("pk")
        self.client.force_login(self.user_with_perm)
        response = self.client.get(f"/changelog/{entry.pk}/")
        self.assertLess(response.status_code, 500)
