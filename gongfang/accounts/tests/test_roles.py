"""Roles, 三员分立 and scope of accounts (DESIGN §1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase

from ...registry import models as m
from ...registry.tests.world import WorldMixin, make_user
from ..roles import Role


class RoleTests(WorldMixin, TestCase):
    def test_separated_admin_roles_are_exclusive(self):
        for pair in (
            [Role.SYS_ADMIN, Role.SEC_ADMIN],
            [Role.SEC_ADMIN, Role.AUDIT_ADMIN],
            [Role.SYS_ADMIN, Role.AUDIT_ADMIN],
        ):
            with pytest.raises(ValidationError) as exc:
                make_user(f"x{len(pair)}{pair[0]}", list(pair))
            assert "三员分立" in str(exc.value)

    def test_business_role_needs_a_scope(self):
        with pytest.raises(ValidationError) as exc:
            make_user("noscope", [Role.BUREAU_ADMIN])
        assert "管辖" in str(exc.value)

    def test_one_scope_only(self):
        with pytest.raises(ValidationError):
            make_user(
                "twoscopes",
                [Role.BUREAU_ADMIN],
                scope_region=self.world.a.region,
                scope_organization=self.world.a.org,
            )

    def test_admin_roles_see_no_business_data(self):
        for role in (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN):
            user = make_user(f"only_{role}", [role])
            for model in (m.Room, m.Person, m.Organization, m.Region):
                assert m.Room.objects.restrict(user).count() == 0
                assert not user.has_model_perm(model, "view")

    def test_region_scope_reaches_its_subtree_only(self):
        city_admin = make_user("city", [Role.BUREAU_ADMIN], scope_region=self.world.city)
        assert set(m.Room.objects.restrict(city_admin)) == {self.world.a.room, self.world.b.room}
        assert list(m.Room.objects.restrict(self.user_with_perm)) == [self.world.a.room]

    def test_organization_scope_reads_the_compound_its_rooms_stand_in(self):
        a = self.world.a
        unit = make_user("sub", [Role.UNIT_ADMIN], scope_organization=a.sub_org)
        other_owner_room = a.room
        other_owner_room.organization = a.sub_org
        other_owner_room.save()
        assert list(m.Compound.objects.restrict(unit, "view")) == [a.compound]
        assert list(m.Compound.objects.restrict(unit, "change")) == []

    def test_inactive_account_reaches_nothing(self):
        self.user_with_perm.is_active = False
        assert m.Room.objects.restrict(self.user_with_perm).count() == 0
