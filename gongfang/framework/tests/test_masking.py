"""Personal data masked in lists, exports and API lists unless the role needs it (DESIGN §6)."""

from __future__ import annotations

import csv
import io

from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from ...accounts.roles import Role
from ...registry.models import Person
from ...registry.tests.world import WorldMixin, make_user
from ..masking import Where, mask_id_number, mask_phone, shown
from ..models import ObjectChange
from ..services import service_for
from ..templatetags.gongfang import change_rows

PHONE = "13812345678"
MASKED = "138****5678"


class MaskFunctionTests(SimpleTestCase):
    def test_phone(self):
        self.assertEqual(mask_phone(PHONE), MASKED)
        self.assertEqual(mask_phone("0632-3312345"), "063*****2345")
        self.assertEqual(mask_phone("1234"), "****")

    def test_id_number(self):
        self.assertEqual(mask_id_number("37048119800101123X"), "370481********123X")
        self.assertEqual(mask_id_number("123"), "1*3")


class MaskingTests(WorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a = cls.world.a
        cls.leader = make_user("leader_a", [Role.LEADER], scope_region=a.region)
        cls.surveyor = make_user("surveyor_a", [Role.SURVEYOR], scope_region=a.region)
        cls.auditor = make_user("audit1", [Role.AUDIT_ADMIN])
        service_for(Person).update(
            actor=cls.user_with_perm, instance=a.person, data={"phone": PHONE}
        )
        cls.person = a.person

    def page(self, user, url, **params) -> str:
        self.client.force_login(user)
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, user.username)
        return response.content.decode()

    def test_lists_mask_for_every_role(self):
        url = reverse("registry:person_list")
        for user in (self.user_with_perm, self.user_org_scoped, self.user_view_only, self.leader):
            content = self.page(user, url, columns=["name", "phone"])
            self.assertIn(MASKED, content, user.username)
            self.assertNotIn(PHONE, content, user.username)

    def test_detail_page_in_full_for_those_who_keep_the_record(self):
        url = self.person.get_absolute_url()
        for user in (self.user_with_perm, self.user_org_scoped):
            self.assertIn(PHONE, self.page(user, url), user.username)
        for user in (self.user_view_only, self.leader):
            content = self.page(user, url)
            # Masked on the attribute card and in the page's change history alike.
            self.assertIn(MASKED, content, user.username)
            self.assertNotIn(PHONE, content, user.username)
        self.client.force_login(self.surveyor)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_api_list_masks_and_detail_follows_the_role(self):
        list_url = reverse("api:registry:person-list")
        detail_url = reverse("api:registry:person-detail", args=[self.person.pk])
        self.client.force_login(self.user_with_perm)
        self.assertEqual(self.client.get(list_url).json()["results"][0]["phone"], MASKED)
        self.assertEqual(self.client.get(detail_url).json()["phone"], PHONE)
        for user in (self.user_view_only, self.leader):
            self.client.force_login(user)
            self.assertEqual(self.client.get(list_url).json()["results"][0]["phone"], MASKED)
            self.assertEqual(self.client.get(detail_url).json()["phone"], MASKED)

    def test_audit_log_and_its_export_mask(self):
        self.client.force_login(self.auditor)
        response = self.client.get(reverse("framework:objectchange_export"), {"q": "张三"})
        body = b"".join(response.streaming_content).decode("utf-8")[1:]
        rows = list(csv.reader(io.StringIO(body)))
        self.assertTrue(any(MASKED in r[13] for r in rows[1:]))  # 变更后
        self.assertNotIn(PHONE, body)
        api = self.client.get(reverse("api:framework:objectchange-list"), {"q": "张三"}).json()
        self.assertNotIn(PHONE, str(api))
        self.assertIn(MASKED, str(api))

    def test_history_shows_a_change_even_when_both_sides_mask_alike(self):
        service_for(Person).update(
            actor=self.user_with_perm, instance=self.person, data={"phone": "13899995678"}
        )
        change = ObjectChange.objects.filter(changed_object_id=self.person.pk).latest("id")
        rows = change_rows({"user": self.user_view_only}, change)
        self.assertEqual(
            [(r["name"], r["before"], r["after"]) for r in rows], [("phone", MASKED, MASKED)]
        )

    def test_the_rule_in_one_place(self):
        for where in Where:
            self.assertEqual(
                shown(self.user_view_only, self.person, "phone", PHONE, where), MASKED, where
            )
        self.assertEqual(
            shown(self.user_with_perm, self.person, "phone", PHONE, Where.LIST), MASKED
        )
        self.assertEqual(
            shown(self.user_with_perm, self.person, "phone", PHONE, Where.DETAIL), PHONE
        )
        self.assertEqual(
            shown(self.user_with_perm, self.person, "name", "张三", Where.LIST), "张三"
        )
