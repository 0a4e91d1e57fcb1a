"""Account management pages (/accounts/manage/) and the menu of the three administrators."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.test import TestCase
from django.urls import reverse

from ...framework.models import ObjectChange
from ...registry.tests.world import PASSWORD, WorldMixin, make_user
from ..models import User
from ..roles import Role

STRONG = "Xk9#mPq2w"


class Pages(WorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sys = make_user("sys1", [Role.SYS_ADMIN])
        cls.sec = make_user("sec1", [Role.SEC_ADMIN])
        cls.audit = make_user("audit1", [Role.AUDIT_ADMIN])
        cls.target = User.objects.create_user("clerk", PASSWORD, name="王五", phone="13812345678")


class AccountListTests(Pages, TestCase):
    url = reverse("manage:user_list")

    def test_only_the_account_administrators_list_accounts(self):
        for user, status in (
            (self.sys, 200),
            (self.sec, 200),
            (self.audit, 403),
            (self.user_with_perm, 403),
        ):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, status, user.username)

    def test_filters_and_masked_phone(self):
        self.client.force_login(self.sys)
        response = self.client.get(self.url, {"columns": ["username", "phone", "roles"]})
        self.assertContains(response, "clerk")
        self.assertContains(response, "138****5678")
        self.assertNotContains(response, "13812345678")
        by_role = self.client.get(self.url, {"role": Role.SEC_ADMIN})
        self.assertContains(by_role, "sec1")
        self.assertNotContains(by_role, "clerk")
        by_scope = self.client.get(self.url, {"scope": "滕州"})
        self.assertEqual(
            {u.username for u in by_scope.context["table"].data},
            {"bureau_a", "supervisor_a", "unit_a"},
        )
        by_code = self.client.get(self.url, {"scope": "370481"})
        self.assertEqual(
            {u.username for u in by_code.context["table"].data}, {"bureau_a", "supervisor_a"}
        )
        by_unit = self.client.get(self.url, {"scope_kind": "organization"})
        self.assertEqual({u.username for u in by_unit.context["table"].data}, {"unit_a"})
        User.objects.filter(pk=self.target.pk).update(is_active=False)
        inactive = self.client.get(self.url, {"active": "false"})
        self.assertEqual([u.username for u in inactive.context["table"].data], ["clerk"])
        self.assertEqual(
            [u.username for u in self.client.get(self.url, {"q": "王五"}).context["table"].data],
            ["clerk"],
        )

    def test_buttons_follow_the_role(self):
        self.client.force_login(self.sys)
        response = self.client.get(self.url)
        self.assertContains(response, reverse("manage:user_add"))
        self.assertNotContains(response, reverse("manage:policy"))
        self.client.force_login(self.sec)
        response = self.client.get(self.url)
        self.assertNotContains(response, reverse("manage:user_add"))
        self.assertContains(response, reverse("manage:policy"))


class AccountDetailTests(Pages, TestCase):
    def test_phone_in_full_for_the_system_administrator_only(self):
        url = reverse("manage:user", args=[self.target.pk])
        self.client.force_login(self.sys)
        response = self.client.get(url)
        self.assertContains(response, "13812345678")
        self.assertContains(response, reverse("manage:user_password", args=[self.target.pk]))
        self.assertNotContains(response, reverse("manage:user_access", args=[self.target.pk]))
        self.client.force_login(self.sec)
        response = self.client.get(url)
        self.assertContains(response, "138****5678")
        self.assertNotContains(response, "13812345678")
        self.assertContains(response, reverse("manage:user_access", args=[self.target.pk]))
        self.assertNotContains(response, reverse("manage:user_password", args=[self.target.pk]))

    def test_unknown_account_is_404(self):
        self.client.force_login(self.sys)
        self.assertEqual(self.client.get(reverse("manage:user", args=[999999])).status_code, 404)


class SystemAdministratorPageTests(Pages, TestCase):
    def setUp(self):
        self.client.force_login(self.sys)

    def test_create_account(self):
        response = self.client.post(
            reverse("manage:user_add"),
            {
                "username": "zhao6",
                "name": "赵六",
                "phone": "",
                "email": "",
                "password1": STRONG,
                "password2": STRONG,
            },
        )
        user = User.objects.get(username="zhao6")
        self.assertRedirects(response, reverse("manage:user", args=[user.pk]))
        self.assertTrue(user.must_change_password)

    def test_create_account_errors_are_shown(self):
        response = self.client.post(
            reverse("manage:user_add"),
            {"username": "zhao7", "password1": STRONG, "password2": STRONG + "x"},
        )
        self.assertContains(response, "两次输入的密码不一致")
        response = self.client.post(
            reverse("manage:user_add"),
            {"username": "zhao7", "password1": "abc", "password2": "abc"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.assertFalse(User.objects.filter(username="zhao7").exists())

    def test_edit_deactivate_and_reset(self):
        pk = self.target.pk
        self.client.post(
            reverse("manage:user_edit", args=[pk]),
            {"name": "王五五", "phone": "13812345678", "email": ""},
        )
        self.client.post(reverse("manage:user_active", args=[pk]))
        self.client.post(
            reverse("manage:user_password", args=[pk]), {"password1": STRONG, "password2": STRONG}
        )
        self.target.refresh_from_db()
        self.assertEqual(self.target.name, "王五五")
        self.assertFalse(self.target.is_active)
        self.assertTrue(self.target.check_password(STRONG))

    def test_roles_page_is_refused(self):
        url = reverse("manage:user_access", args=[self.target.pk])
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {"admin_role": "audit_admin"}).status_code, 403)
        self.target.refresh_from_db()
        self.assertEqual(self.target.roles, [])


class SecurityAdministratorPageTests(Pages, TestCase):
    def setUp(self):
        self.client.force_login(self.sec)

    def test_grant_roles_and_scope(self):
        url = reverse("manage:user_access", args=[self.target.pk])
        response = self.client.post(
            url, {"business_roles": [Role.SUPERVISOR], "scope_region": self.world.a.region.pk}
        )
        self.assertRedirects(response, reverse("manage:user", args=[self.target.pk]))
        self.target.refresh_from_db()
        self.assertEqual(self.target.roles, [Role.SUPERVISOR])
        self.assertEqual(self.target.scope_region, self.world.a.region)
        self.assertTrue(ObjectChange.objects.filter(event="account.roles", user=self.sec).exists())

    def test_refusals_are_shown_in_chinese(self):
        url = reverse("manage:user_access", args=[self.target.pk])
        response = self.client.post(url, {"business_roles": [Role.BUREAU_ADMIN]})
        self.assertContains(response, "业务角色必须指定管辖区域或管辖单位")
        own = reverse("manage:user_access", args=[self.sec.pk])
        response = self.client.post(own, {"admin_role": ""})
        self.assertContains(response, "不能修改自己的角色")
        self.sec.refresh_from_db()
        self.assertEqual(self.sec.roles, [Role.SEC_ADMIN])

    def test_profile_and_password_pages_are_refused(self):
        for name in ("manage:user_edit", "manage:user_password", "manage:user_active"):
            url = reverse(name, args=[self.target.pk])
            self.assertEqual(self.client.get(url).status_code, 403, name)
            self.assertEqual(self.client.post(url, {}).status_code, 403, name)
        self.assertEqual(self.client.get(reverse("manage:user_add")).status_code, 403)

    def test_policy_page(self):
        response = self.client.get(reverse("manage:policy"))
        self.assertContains(response, "PASSWORD_MIN_LENGTH")
        self.assertContains(response, "5 次后锁定")
        self.assertContains(response, "30 分钟")
        self.assertContains(response, "180 天")

    def test_lockouts_page_and_unlock(self):
        AccessAttempt.objects.create(
            username="clerk",
            ip_address="10.1.2.3",
            user_agent="test",
            http_accept="*/*",
            path_info="/accounts/login/",
            get_data="",
            post_data="",
            failures_since_start=5,
        )
        response = self.client.get(reverse("manage:lockouts"))
        self.assertContains(response, "clerk")
        self.assertContains(response, "10.1.2.3")
        self.client.post(reverse("manage:lockouts"), {"kind": "username", "value": "clerk"})
        self.client.post(reverse("manage:lockouts"), {"kind": "ip_address", "value": "10.1.2.3"})
        response = self.client.get(reverse("manage:lockouts"))
        self.assertContains(response, "当前没有被锁定")
        self.assertEqual(ObjectChange.objects.filter(event="auth.unlock", user=self.sec).count(), 2)

    def test_scope_lookups(self):
        data = self.client.get(reverse("manage:lookup_regions"), {"q": "滕州"}).json()
        self.assertEqual([r["id"] for r in data["results"]], [self.world.a.region.pk])
        self.assertIn("370481", data["results"][0]["display"])
        data = self.client.get(reverse("manage:lookup_organizations"), {"q": "市中区"}).json()
        self.assertIn(self.world.b.org.pk, [r["id"] for r in data["results"]])
        self.client.force_login(self.sys)
        self.assertEqual(self.client.get(reverse("manage:lookup_regions")).status_code, 403)


class MenuTests(Pages, TestCase):
    def menu(self, user) -> str:
        self.client.force_login(user)
        return self.client.get(reverse("home")).content.decode()

    def test_each_administrator_sees_their_part(self):
        accounts, policy, audit = (
            reverse("manage:user_list"),
            reverse("manage:policy"),
            reverse("framework:objectchange_list"),
        )
        content = self.menu(self.sys)
        self.assertIn(f'href="{accounts}"', content)
        self.assertNotIn(f'href="{policy}"', content)
        self.assertNotIn(f'href="{audit}"', content)
        content = self.menu(self.sec)
        self.assertIn(f'href="{accounts}"', content)
        self.assertIn(f'href="{policy}"', content)
        self.assertNotIn(f'href="{audit}"', content)
        content = self.menu(self.audit)
        self.assertNotIn(f'href="{accounts}"', content)
        self.assertIn(f'href="{audit}"', content)
        content = self.menu(self.user_with_perm)
        self.assertNotIn("系统管理", content)
        self.assertNotIn(f'href="{audit}"', content)
