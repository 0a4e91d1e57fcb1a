"""The survey demo part: one batch in every state through the real services, and flush."""

from __future__ import annotations

import datetime
import io

from django.core.management.base import OutputWrapper
from django.test import TestCase

from ...accounts.otp import provision_device
from ...demo.parts import DemoRun
from ...registry.demo.accounts import DEMO_PASSWORD
from ...registry.models import Room
from ...registry.tests import factories as rf
from .. import demo_part
from ..models import BatchState, SurveyBatch
from .world import SurveyWorldMixin


class DemoPartTests(SurveyWorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a = cls.world.a
        for n in range(5):  # six floors of the unit with three rooms each
            floor = rf.FloorFactory(
                building=rf.BuildingFactory(compound=a.compound, name=f"{n + 2}号楼"), number=1
            )
            for k in range(3):
                rf.RoomFactory(floor=floor, number=f"1{k + 1:02d}", organization=a.org)

    def test_one_batch_in_every_state_and_flush(self):
        for user in (self.bureau, self.unit, self.surveyor):
            user.set_password(DEMO_PASSWORD)  # what the demo signs with
            user.save()
        provision_device(user=self.bureau)
        run = DemoRun(
            profile="small",
            seed=1,
            anchor=datetime.date(2026, 12, 1),
            stdout=OutputWrapper(io.StringIO()),
        )
        run.users = {"zz_bureau": self.bureau, "unit_admin": self.unit, "surveyor": self.surveyor}
        SurveyBatch.objects.all().delete()
        demo_part.build(run)
        states = set(SurveyBatch.objects.values_list("state", flat=True))
        self.assertEqual(states, set(BatchState.values))
        applied = SurveyBatch.objects.get(state=BatchState.APPLIED)
        self.assertTrue(Room.objects.filter(surveyed_on__isnull=False).exists())
        self.assertEqual(applied.signatures.filter(voided=False).count(), 3)
        self.assertTrue(SurveyBatch.objects.get(state=BatchState.SURVEYING).drawings.exists())
        self.assertIn("测绘与三方确认", dict(run.sections))
        self.assertTrue(demo_part.existing())
        self.assertGreater(demo_part.flush(), 6)
        self.assertFalse(SurveyBatch.objects.exists())
