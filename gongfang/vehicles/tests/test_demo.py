"""The vehicles' demo part: every row it writes passes the models' validation, the same seed
writes the same fleet, and flush removes it."""

from __future__ import annotations

import datetime
import io
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.management.base import OutputWrapper
from django.test import TestCase

from ...demo.parts import DemoRun
from ...registry.tests import factories as rf
from ...registry.tests.world import WorldMixin
from .. import demo_part
from ..models import AnnualInspection, FuelRecord, InsurancePolicy, Vehicle


def _run() -> DemoRun:
    return DemoRun(
        profile="zaozhuang",
        seed=7,
        anchor=datetime.date(2026, 1, 1),
        stdout=OutputWrapper(io.StringIO()),
    )


class TestDemoPart(WorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # A police bureau and a township beside the world's education bureaus.
        rf.OrganizationFactory(name="滕州市公安局", region=cls.world.a.region)
        rf.OrganizationFactory(name="龙阳镇人民政府", region=cls.world.a.region, level="township")

    # The dispatches and cases (demo_dispatch) need the demo accounts: tested with load_demo.
    @mock.patch("gongfang.vehicles.demo_part._build_dispatch")
    def test_build_writes_a_valid_fleet_deterministically(self, build_dispatch):
        run = _run()
        demo_part.build(run)
        vehicles = list(Vehicle.objects.order_by("pk"))
        self.assertGreater(len(vehicles), 30)
        self.assertTrue(any("警" in v.plate for v in vehicles))
        errors = []
        for model in (Vehicle, FuelRecord, InsurancePolicy, AnnualInspection):
            for obj in model.objects.all():
                try:
                    obj.full_clean()
                except ValidationError as exc:
                    errors.append((model.__name__, str(obj), exc.message_dict))
        self.assertEqual(errors, [])
        self.assertTrue(
            all(v.new_energy == (v.energy in ("electric", "plugin_hybrid")) for v in vehicles)
        )
        plates = [v.plate for v in vehicles]
        self.assertIn("公务用车", dict(run.sections))
        self.assertGreater(demo_part.flush(), len(vehicles))
        self.assertFalse(Vehicle.objects.exists())
        demo_part.build(_run())
        self.assertEqual(build_dispatch.call_count, 2)
        self.assertEqual(
            list(Vehicle.objects.order_by("pk").values_list("plate", flat=True)), plates
        )


def test_the_province_profile_scales_the_fleet_to_its_target():
    from types import SimpleNamespace

    plans = [demo_part.FleetPlan(SimpleNamespace(pk=i), "general", 1 + i % 7) for i in range(300)]
    scaled = demo_part._scale(plans, 25_000)
    total = sum(p.count for p in scaled)
    assert abs(total - 25_000) <= 1
    assert all(p.count >= 1 for p in scaled)
