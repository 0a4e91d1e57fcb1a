"""The accounts API: read by the system and security administrators, written (accounts and
profiles only) by the system administrator, through the account services."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.urls import reverse

from ...framework.models import ObjectChange
from ...registry.tests.world import PASSWORD, WorldMixin, make_user
from ..models import User
from ..roles import Role

STRONG = "Xk9#mPq2w"
LIST = reverse("api:accounts:user-list")


class AccountAPITests(WorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sys = make_user("sys1", [Role.SYS_ADMIN])
        cls.sec = make_user("sec1", [Role.SEC_ADMIN])
        cls.audit = make_user("audit1", [Role.AUDIT_ADMIN])
        cls.target = User.objects.create_user("clerk", PASSWORD, name="王五", phone="13812345678")
        cls.detail = reverse("api:accounts:user-detail", args=[cls.target.pk])

    def test_read_by_the_account_administrators_only(self):
        for user, status in ((self.sys, 200), (self.sec, 200), (self.audit, 403)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(LIST).status_code, status, user.username)
            self.assertEqual(self.client.get(self.detail).status_code, status, user.username)
        self.client.force_login(self.user_with_perm)
        self.assertEqual(self.client.get(LIST).status_code, 403)

    def test_phone_masked_in_the_list_and_for_the_security_administrator(self):
        self.client.force_login(self.sys)
        rows = self.client.get(LIST, {"q": "clerk"}).json()["results"]
        self.assertEqual([r["phone"] for r in rows], ["138****5678"])
        self.assertEqual(self.client.get(self.detail).json()["phone"], "13812345678")
        self.client.force_login(self.sec)
        self.assertEqual(self.client.get(self.detail).json()["phone"], "138****5678")
        self.assertEqual(self.client.get(LIST, {"role": "sec_admin"}).json()["count"], 1)

    def test_system_administrator_creates_and_edits(self):
        self.client.force_login(self.sys)
        response = self.client.post(
            LIST,
            {"username": "zhao6", "name": "赵六", "password": STRONG},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(User.objects.get(username="zhao6").must_change_password)
        self.assertNotIn("password", response.json())
        weak = self.client.post(
            LIST, {"username": "zhao7", "password": "abc"}, content_type="application/json"
        )
        self.assertEqual(weak.status_code, 400)
        self.assertIn("password", weak.json())
        taken = self.client.post(
            LIST, {"username": "clerk", "password": STRONG}, content_type="application/json"
        )
        self.assertEqual(taken.status_code, 400)
        # Read-only fields with another value are refused, naming them; nothing is written.
        response = self.client.patch(
            self.detail,
            {"name": "王五五", "roles": ["bureau_admin"], "username": "renamed"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(set(response.json()), {"roles", "username"})
        self.target.refresh_from_db()
        self.assertEqual(self.target.name, "王五")
        response = self.client.patch(
            self.detail,
            {"name": "王五五", "roles": [], "username": "clerk"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.target.refresh_from_db()
        self.assertEqual(
            (self.target.name, self.target.roles, self.target.username), ("王五五", [], "clerk")
        )
        self.assertTrue(
            ObjectChange.objects.filter(
                action="update",
                changed_object_type=ContentType.objects.get_for_model(User),
                changed_object_id=self.target.pk,
                user=self.sys,
            ).exists()
        )

    def test_security_administrator_cannot_write(self):
        self.client.force_login(self.sec)
        response = self.client.patch(self.detail, {"name": "x"}, content_type="application/json")
        self.assertEqual(response.status_code, 403)
        response = self.client.post(
            LIST, {"username": "x9", "password": STRONG}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 403)
        self.target.refresh_from_db()
        self.assertEqual(self.target.name, "王五")
