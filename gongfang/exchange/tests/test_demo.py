"""The exchange demo part: a registered lower system, one package imported, one refused."""

from __future__ import annotations

import datetime
import io
from unittest import mock

from django.core.management.base import OutputWrapper

from ...demo.parts import DemoRun
from ...reporting.choices import SubmissionState
from ...reporting.models import Submission
from ...reporting.tests.world import ReportingWorld
from .. import demo_part
from ..models import Package, Peer, PeerKey


class ExchangeDemoTests(ReportingWorld):
    # The world's only county holds the reporting story's township: let the part take it.
    @mock.patch("gongfang.exchange.demo_part.TOWN", "000000000")
    def test_build_and_flush(self):
        run = DemoRun(
            profile="zaozhuang",
            seed=7,
            anchor=datetime.date(2026, 1, 1),
            stdout=OutputWrapper(io.StringIO()),
        )
        demo_part.build(run)
        self.assertEqual(Peer.objects.count(), 1)
        self.assertEqual(PeerKey.objects.count(), 1)
        accepted = Package.objects.get(accepted=True)
        refused = Package.objects.get(accepted=False)
        self.assertTrue(accepted.verified)
        self.assertIn("签名校验失败", refused.result)
        sub = Submission.objects.get(period=self.period, unit_key=f"region:{self.county.pk}")
        self.assertEqual(sub.state, SubmissionState.SUBMITTED)
        self.assertTrue(sub.external)
        self.assertIn(demo_part.LABEL, dict(run.sections))
        self.assertEqual(demo_part.existing(), {"交换系统": 1})
        self.assertEqual(demo_part.flush(), 4)
        self.assertFalse(Package.objects.exists())

    def test_story_county_is_left_alone(self):
        run = DemoRun(
            profile="zaozhuang",
            seed=7,
            anchor=datetime.date(2026, 1, 1),
            stdout=OutputWrapper(io.StringIO()),
        )
        demo_part.build(run)  # the only county is the story's: left alone
        self.assertFalse(Peer.objects.exists())
