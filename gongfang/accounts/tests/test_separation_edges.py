"""三员分立 at its edges (issue 10, point 7), as a role × action matrix.

- the last active holder of each administrator role can be neither deactivated nor demoted;
- a password reset of an administrator account takes effect only when a second administrator
  (system or security, not the requester, not the account itself) confirms it;
- an administrator role is never combined with a business role — in the service, the form and
  the API.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from ...framework.models import ObjectChange
from ...registry.tests.world import PASSWORD, WorldMixin, make_user
from .. import services
from ..manage_forms import AccessForm
from ..models import PendingPasswordReset, User
from ..roles import BUSINESS_ROLES, SEPARATED_ADMIN_ROLES, Role

STRONG = "Xk9#mPq2w"
SYS, SEC, AUDIT = Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN


class Edges(WorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # One holder each, plus a second system and security administrator to act.
        cls.sys1 = make_user("e_sys1", [SYS])
        cls.sys2 = make_user("e_sys2", [SYS])
        cls.sec1 = make_user("e_sec1", [SEC])
        cls.sec2 = make_user("e_sec2", [SEC])
        cls.audit1 = make_user("e_audit1", [AUDIT])
        cls.clerk = User.objects.create_user("e_clerk", PASSWORD, name="职员")

    def test_the_last_active_holder_of_each_role_is_neither_deactivated_nor_demoted(self):
        # Every case an administrator can reach: the last system administrator cannot be
        # deactivated by a system administrator other than itself (there is none), nor the last
        # security administrator demoted — those are refused as acting on oneself.
        holders = {self.sys1.pk, self.sec1.pk, self.audit1.pk}
        others = [u.pk for u in User.objects.all() if u.roles and u.pk not in holders]
        User.objects.filter(pk__in=others).update(is_active=False)
        cases = [
            (self.sys1, "demote", self.sec1),
            (self.sec1, "deactivate", self.sys1),
            (self.audit1, "deactivate", self.sys1),
            (self.audit1, "demote", self.sec1),
        ]
        for holder, action, actor in cases:
            role = holder.roles[0]
            with self.subTest(role=role, action=action):
                with pytest.raises(ValidationError, match=f"最后一个启用的{Role(role).label}"):
                    if action == "deactivate":
                        services.set_active(actor=actor, user=holder, active=False)
                    else:
                        services.set_access(actor=actor, user=holder, roles=[])
                holder.refresh_from_db()
                self.assertTrue(holder.is_active)
                self.assertEqual(holder.roles, [role])
        for holder, actor in ((self.sys1, self.sys1), (self.sec1, self.sec1)):
            with pytest.raises(ValidationError, match="自己"):
                if holder.has_role(SYS):
                    services.set_active(actor=actor, user=holder, active=False)
                else:
                    services.set_access(actor=actor, user=holder, roles=[])

    def test_a_holder_with_a_colleague_may_go(self):
        a2 = make_user("e_audit2", [AUDIT])
        services.set_active(actor=self.sys1, user=a2, active=False)
        with pytest.raises(ValidationError):
            services.set_active(actor=self.sys1, user=self.audit1, active=False)
        services.set_active(actor=self.sys1, user=a2, active=True)
        services.set_access(actor=self.sec1, user=self.audit1, roles=[])
        self.audit1.refresh_from_db()
        self.assertEqual(self.audit1.roles, [])

    # Password reset of an administrator ---------------------------------------------------------
    def test_resetting_an_administrators_password_waits_for_a_second_administrator(self):
        old_hash = self.sec1.password
        pending = services.reset_password(actor=self.sys1, user=self.sec1, password=STRONG)
        self.assertIsInstance(pending, PendingPasswordReset)
        self.sec1.refresh_from_db()
        self.assertEqual(self.sec1.password, old_hash)  # nothing changed yet
        self.assertFalse(self.sec1.must_change_password)
        self.assertTrue(
            ObjectChange.objects.filter(
                event=services.RESET_REQUEST_EVENT, changed_object_id=self.sec1.pk
            ).exists()
        )
        self.assertNotIn(STRONG, str(ObjectChange.objects.values_list("postchange_data")))

        # Role × confirmer: the requester, the account itself, the audit administrator and a
        # business role cannot confirm; another system or security administrator can.
        refusals = {
            "requester": (self.sys1, ValidationError),
            "the account itself": (self.sec1, ValidationError),
            "audit administrator": (self.audit1, PermissionDenied),
            "business role": (self.user_with_perm, PermissionDenied),
        }
        for who, (actor, error) in refusals.items():
            with self.subTest(who=who), pytest.raises(error):
                services.confirm_password_reset(actor=actor, user=self.sec1)
        self.sec1.refresh_from_db()
        self.assertEqual(self.sec1.password, old_hash)

        services.confirm_password_reset(actor=self.sec2, user=self.sec1)
        self.sec1.refresh_from_db()
        self.assertTrue(self.sec1.check_password(STRONG))
        self.assertTrue(self.sec1.must_change_password)
        self.assertFalse(PendingPasswordReset.objects.filter(user=self.sec1).exists())
        event = ObjectChange.objects.get(
            event="auth.password_reset", changed_object_id=self.sec1.pk
        )
        self.assertEqual(event.user, self.sec2)
        self.assertEqual(event.postchange_data["requested_by"], "e_sys1")
        with pytest.raises(ValidationError, match="没有待确认"):
            services.confirm_password_reset(actor=self.sec2, user=self.sec1)

    def test_every_administrator_role_needs_the_confirmation_a_clerk_does_not(self):
        for target in (self.sys2, self.sec1, self.audit1):
            with self.subTest(target=target.username):
                before = target.password
                services.reset_password(actor=self.sys1, user=target, password=STRONG)
                target.refresh_from_db()
                self.assertEqual(target.password, before)
        self.assertIsNone(
            services.reset_password(actor=self.sys1, user=self.clerk, password=STRONG)
        )
        self.clerk.refresh_from_db()
        self.assertTrue(self.clerk.check_password(STRONG))

    def test_a_pending_reset_can_be_withdrawn_and_a_weak_one_is_never_pending(self):
        with pytest.raises(ValidationError) as exc:
            services.reset_password(actor=self.sys1, user=self.audit1, password="12345678")
        self.assertIn("password", exc.value.error_dict)
        self.assertFalse(PendingPasswordReset.objects.exists())
        services.reset_password(actor=self.sys1, user=self.audit1, password=STRONG)
        with pytest.raises(PermissionDenied):
            services.cancel_password_reset(actor=self.audit1, user=self.audit1)
        services.cancel_password_reset(actor=self.sys1, user=self.audit1)
        self.assertFalse(PendingPasswordReset.objects.exists())
        self.assertTrue(ObjectChange.objects.filter(event=services.RESET_CANCEL_EVENT).exists())

    def test_pages_confirm_a_pending_reset(self):
        self.client.force_login(self.sys1)
        response = self.client.post(
            reverse("manage:user_password", args=[self.audit1.pk]),
            {"password1": STRONG, "password2": STRONG},
            follow=True,
        )
        self.assertContains(response, "须由另一名系统管理员或安全管理员确认")
        confirm = reverse("manage:user_reset_confirm", args=[self.audit1.pk])
        self.assertNotContains(response, confirm)  # not offered to the requester
        self.client.force_login(self.sec1)
        page = self.client.get(reverse("manage:user", args=[self.audit1.pk]))
        self.assertContains(page, confirm)
        self.client.post(confirm)
        self.audit1.refresh_from_db()
        self.assertTrue(self.audit1.check_password(STRONG))
        self.assertEqual(self.client.get(confirm).status_code, 404)

    # No administrator role beside a business role ----------------------------------------------
    def test_an_administrator_role_is_never_combined_with_a_business_role(self):
        region = self.world.a.region
        for admin in sorted(SEPARATED_ADMIN_ROLES):
            for business in sorted(BUSINESS_ROLES):
                with self.subTest(admin=admin, business=business):
                    with pytest.raises(ValidationError, match="不能兼任业务角色"):
                        services.set_access(
                            actor=self.sec1,
                            user=self.clerk,
                            roles=[admin, business],
                            scope_region=region,
                        )
                    form = AccessForm(
                        {
                            "admin_role": admin,
                            "business_roles": [business],
                            "scope_region": region.pk,
                        }
                    )
                    self.assertFalse(form.is_valid())
                    self.assertIn("不能兼任业务角色", str(form.errors["admin_role"]))
        self.clerk.refresh_from_db()
        self.assertEqual(self.clerk.roles, [])

    def test_the_api_refuses_roles(self):
        client = APIClient()
        client.force_login(self.sys1)
        url = reverse("api:accounts:user-detail", args=[self.clerk.pk])
        response = client.patch(url, {"roles": [SYS, Role.LEADER]}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("roles", response.json())
        self.clerk.refresh_from_db()
        self.assertEqual(self.clerk.roles, [])
