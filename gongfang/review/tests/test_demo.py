"""The review's demo part on a small city: seed 000's review all closed, the current review with
findings in every state and cross-review pairs, and flush removing it all."""

from __future__ import annotations

import datetime
import io

from django.core.management.base import OutputWrapper
from django.test import TestCase

from ...accounts.roles import Role
from ...demo.parts import DemoRun
from ...registry.tests import factories as rf
from ...registry.tests.world import WorldMixin, make_user
from .. import demo_part
from ..models import Assignment, Finding, FindingState, Review, ReviewState


class DemoPartTests(WorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        city = cls.world.city
        cls.units = []
        for name in ("市教育局", "市财政局", "市公安局"):
            org = rf.OrganizationFactory(name=f"枣庄{name}", region=city, level="city")
            floor = rf.FloorFactory(
                building__compound__region=city, building__compound__owner_org=org
            )
            for _ in range(8):
                rf.RoomFactory(floor=floor, organization=org, building_area=None)
            cls.units.append(org)
        cls.bureau = make_user("zz_bureau", [Role.BUREAU_ADMIN], scope_region=city)
        cls.unit_admin = make_user("unit_admin", [Role.UNIT_ADMIN], scope_organization=cls.units[0])

    def test_build_and_flush(self):
        run = DemoRun(
            profile="zaozhuang",
            seed=7,
            anchor=datetime.date(2026, 3, 1),
            stdout=OutputWrapper(io.StringIO()),
            users={"zz_bureau": self.bureau, "unit_admin": self.unit_admin},
        )
        demo_part.build(run)
        historic = Review.objects.get(state=ReviewState.CLOSED)
        found = Finding.objects.filter(review=historic)
        self.assertGreater(found.count(), 0)
        self.assertFalse(found.exclude(state=FindingState.CLOSED).exists())
        current = Review.objects.get(state=ReviewState.OPEN)
        states = set(Finding.objects.filter(review=current).values_list("state", flat=True))
        self.assertEqual(states, set(FindingState.values))
        pairs = Assignment.objects.filter(review=current)
        self.assertEqual(pairs.count(), 2)  # three units: the unit administrator's and a partner
        own = pairs.get(reviewer_organization=self.units[0])
        self.assertEqual(own.reviewer, self.unit_admin)
        self.assertTrue(Finding.objects.filter(assignment=own, found_by=self.unit_admin).exists())
        self.assertIn("数据会审", [title for title, _ in run.sections])
        self.assertGreater(demo_part.flush(), 0)
        self.assertEqual(demo_part.existing(), {})
