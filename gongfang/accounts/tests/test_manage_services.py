"""Account services under 三员分立: each administrator can do only their part, and every change is
in the audit trail (issue 5, rules 5 and 6)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from ...framework.changelog import verify_chain
from ...framework.models import ObjectChange
from ...registry.tests.world import PASSWORD, WorldMixin, make_user
from .. import services
from ..lockout import locked_until
from ..models import User
from ..roles import Role

STRONG = "Xk9#mPq2w"


def events(name: str, obj=None):
    qs = ObjectChange.objects.filter(action=ObjectChange.Action.EVENT, event=name)
    if obj is not None:
        qs = qs.filter(
            changed_object_id=obj.pk, changed_object_type=ContentType.objects.get_for_model(User)
        )
    return qs


def user_changes(user: User, action: str):
    return ObjectChange.objects.filter(
        action=action,
        changed_object_type=ContentType.objects.get_for_model(User),
        changed_object_id=user.pk,
    )


class Admins(WorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sys = make_user("sys1", [Role.SYS_ADMIN])
        cls.sec = make_user("sec1", [Role.SEC_ADMIN])
        cls.sec2 = make_user("sec2", [Role.SEC_ADMIN])
        cls.audit = make_user("audit1", [Role.AUDIT_ADMIN])
        cls.bureau = cls.user_with_perm
        cls.target = User.objects.create_user("clerk", PASSWORD, name="王五", phone="13812345678")


class SystemAdministratorTests(Admins, TestCase):
    def test_creates_an_account_that_must_change_its_password(self):
        user = services.create_account(
            actor=self.sys, username=" li4 ", password=STRONG, name="李四", phone="13900001111"
        )
        user.refresh_from_db()
        self.assertEqual(user.username, "li4")
        self.assertTrue(user.check_password(STRONG))
        self.assertTrue(user.must_change_password)
        self.assertEqual(user.roles, [])
        change = user_changes(user, ObjectChange.Action.CREATE).get()
        self.assertEqual(change.user, self.sys)
        self.assertEqual(change.postchange_data["username"], "li4")
        self.assertNotIn("password", change.postchange_data)
        self.assertEqual(events("auth.password_reset", user).get().user, self.sys)
        self.assertTrue(verify_chain().ok)

    def test_weak_password_or_taken_name_creates_nothing(self):
        before = User.objects.count()
        with pytest.raises(ValidationError):
            services.create_account(actor=self.sys, username="weak", password="12345678")
        with pytest.raises(ValidationError):
            services.create_account(actor=self.sys, username="clerk", password=STRONG)
        self.assertEqual(User.objects.count(), before)
        self.assertFalse(ObjectChange.objects.filter(object_repr__contains="weak").exists())

    def test_edits_the_profile_only(self):
        services.update_profile(actor=self.sys, user=self.target, name="王五五", email="w@x.cn")
        self.target.refresh_from_db()
        self.assertEqual((self.target.name, self.target.email), ("王五五", "w@x.cn"))
        self.assertEqual(self.target.phone, "13812345678")
        change = user_changes(self.target, ObjectChange.Action.UPDATE).get()
        self.assertEqual(change.prechange_data["name"], "王五")
        self.assertEqual(change.postchange_data["name"], "王五五")

    def test_cannot_grant_roles_or_scopes_or_unlock(self):
        with pytest.raises(PermissionDenied, match="安全管理员"):
            services.set_access(actor=self.sys, user=self.target, roles=[Role.SUPERVISOR])
        with pytest.raises(PermissionDenied):
            services.unlock_account(actor=self.sys, username="clerk")
        self.target.refresh_from_db()
        self.assertEqual(self.target.roles, [])

    def test_deactivates_and_reactivates(self):
        services.set_active(actor=self.sys, user=self.target, active=False)
        self.target.refresh_from_db()
        self.assertFalse(self.target.is_active)
        services.set_active(actor=self.sys, user=self.target, active=True)
        self.target.refresh_from_db()
        self.assertTrue(self.target.is_active)
        changes = user_changes(self.target, ObjectChange.Action.UPDATE).order_by("id")
        self.assertEqual([c.postchange_data["is_active"] for c in changes], [False, True])

    def test_cannot_deactivate_itself(self):
        with pytest.raises(ValidationError, match="自己"):
            services.set_active(actor=self.sys, user=self.sys, active=False)

    def test_keeps_one_active_security_administrator(self):
        services.set_active(actor=self.sys, user=self.sec2, active=False)
        with pytest.raises(ValidationError, match="至少须保留一个启用的安全管理员"):
            services.set_active(actor=self.sys, user=self.sec, active=False)
        self.sec.refresh_from_db()
        self.assertTrue(self.sec.is_active)

    def test_resets_a_password(self):
        services.reset_password(actor=self.sys, user=self.target, password=STRONG)
        self.target.refresh_from_db()
        self.assertTrue(self.target.check_password(STRONG))
        self.assertTrue(self.target.must_change_password)
        event = events("auth.password_reset", self.target).get()
        self.assertEqual(event.user, self.sys)
        self.assertNotIn(STRONG, str(event.postchange_data))
        with pytest.raises(ValidationError):
            services.reset_password(actor=self.sys, user=self.sys, password=STRONG)


class SecurityAdministratorTests(Admins, TestCase):
    def test_grants_roles_and_scope_recorded_with_before_and_after(self):
        a = self.world.a
        services.set_access(
            actor=self.sec, user=self.target, roles=[Role.SUPERVISOR], scope_region=a.region
        )
        self.target.refresh_from_db()
        self.assertEqual(self.target.roles, [Role.SUPERVISOR])
        self.assertEqual(self.target.scope_region, a.region)
        roles = events("account.roles", self.target).get()
        self.assertEqual(roles.user, self.sec)
        self.assertEqual(roles.postchange_data["before"], [])
        self.assertEqual(roles.postchange_data["after"], [Role.SUPERVISOR])
        scope = events("account.scope", self.target).get()
        self.assertIsNone(scope.postchange_data["before"]["region"])
        self.assertEqual(scope.postchange_data["after"]["region"]["code"], a.region.code)

        # Only what changed is recorded; nothing changed, nothing recorded.
        services.set_access(
            actor=self.sec,
            user=self.target,
            roles=[Role.SUPERVISOR, Role.LEADER],
            scope_region=a.region,
        )
        self.assertEqual(events("account.roles", self.target).count(), 2)
        self.assertEqual(events("account.scope", self.target).count(), 1)
        services.set_access(
            actor=self.sec,
            user=self.target,
            roles=[Role.LEADER, Role.SUPERVISOR],
            scope_region=a.region,
        )
        self.assertEqual(events("account.roles", self.target).count(), 2)

    def test_separation_of_the_three_administrators(self):
        for pair in (
            [Role.SYS_ADMIN, Role.SEC_ADMIN],
            [Role.SEC_ADMIN, Role.AUDIT_ADMIN],
            [Role.SYS_ADMIN, Role.AUDIT_ADMIN],
        ):
            with pytest.raises(ValidationError, match="三员分立"):
                services.set_access(actor=self.sec, user=self.target, roles=pair)
        self.target.refresh_from_db()
        self.assertEqual(self.target.roles, [])
        self.assertFalse(events("account.roles").exists())

    def test_business_roles_need_one_scope(self):
        with pytest.raises(ValidationError, match="管辖"):
            services.set_access(actor=self.sec, user=self.target, roles=[Role.BUREAU_ADMIN])
        with pytest.raises(ValidationError):
            services.set_access(
                actor=self.sec,
                user=self.target,
                roles=[Role.BUREAU_ADMIN],
                scope_region=self.world.a.region,
                scope_organization=self.world.a.org,
            )
        with pytest.raises(ValidationError, match="未知角色"):
            services.set_access(actor=self.sec, user=self.target, roles=["superuser"])

    def test_nobody_changes_their_own_roles(self):
        with pytest.raises(ValidationError, match="自己"):
            services.set_access(actor=self.sec, user=self.sec, roles=[])
        with pytest.raises(ValidationError, match="自己"):
            services.set_access(
                actor=self.sec,
                user=self.sec,
                roles=[Role.SEC_ADMIN, Role.BUREAU_ADMIN],
                scope_region=self.world.a.region,
            )

    def test_may_revoke_another_security_administrator_while_one_remains(self):
        services.set_access(actor=self.sec, user=self.sec2, roles=[])
        self.sec2.refresh_from_db()
        self.assertEqual(self.sec2.roles, [])
        self.assertEqual(
            events("account.roles", self.sec2).get().postchange_data["removed"], ["sec_admin"]
        )

    def test_cannot_edit_profiles_create_accounts_or_reset_passwords(self):
        with pytest.raises(PermissionDenied, match="系统管理员"):
            services.update_profile(actor=self.sec, user=self.target, name="x")
        with pytest.raises(PermissionDenied):
            services.create_account(actor=self.sec, username="x1", password=STRONG)
        with pytest.raises(PermissionDenied):
            services.reset_password(actor=self.sec, user=self.target, password=STRONG)
        with pytest.raises(PermissionDenied):
            services.set_active(actor=self.sec, user=self.target, active=False)

    def test_unlocks_a_locked_account(self):
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
        self.assertIsNotNone(locked_until(username="clerk", ip_address=None))
        services.unlock_account(actor=self.sec, username="clerk")
        self.assertIsNone(locked_until(username="clerk", ip_address=None))
        self.assertEqual(events("auth.unlock", self.target).get().user, self.sec)


class OtherRolesTests(Admins, TestCase):
    def test_audit_and_business_roles_manage_no_account(self):
        for actor in (self.audit, self.bureau, self.user_view_only):
            with self.subTest(actor=actor.username):
                with pytest.raises(PermissionDenied):
                    services.create_account(actor=actor, username="x2", password=STRONG)
                with pytest.raises(PermissionDenied):
                    services.update_profile(actor=actor, user=self.target, name="x")
                with pytest.raises(PermissionDenied):
                    services.set_active(actor=actor, user=self.target, active=False)
                with pytest.raises(PermissionDenied):
                    services.reset_password(actor=actor, user=self.target, password=STRONG)
                with pytest.raises(PermissionDenied):
                    services.set_access(actor=actor, user=self.target, roles=[Role.LEADER])
                with pytest.raises(PermissionDenied):
                    services.unlock_account(actor=actor, username="clerk")
        self.assertFalse(user_changes(self.target, ObjectChange.Action.UPDATE).exists())

    def test_an_inactive_administrator_can_do_nothing(self):
        User.objects.filter(pk=self.sec.pk).update(is_active=False)
        self.sec.refresh_from_db()
        with pytest.raises(PermissionDenied):
            services.set_access(actor=self.sec, user=self.target, roles=[])
