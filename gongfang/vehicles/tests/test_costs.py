"""Cost per km and per vehicle by organization, the charts' links, and the inspection reminder."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

from django.test import TestCase

from ...accounts.roles import Role
from ...registry.tests.world import make_user
from ...workflow.models import Notification
from ..jobs import remind_inspections
from ..models import AnnualInspection, FuelRecord, InsurancePolicy, RepairRecord
from ..selectors import (
    CostRow,
    cost_per_km_chart,
    costs_by_organization,
    costs_of_vehicle,
    fleet_by_category_chart,
    new_energy_share_chart,
    shares_by_organization,
)
from .factories import VehicleFactory
from .world import VehiclesWorldMixin

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)


class TestCosts(VehiclesWorldMixin, TestCase):
    def test_cost_per_km_of_a_vehicle(self):
        # Side a: fuel 350 at 49,800 km, repair 800 at 49,900 km; add fuel 250 at 50,800 km.
        a = self.world.a
        FuelRecord.objects.create(
            vehicle=a.vehicle,
            filled_on=datetime.date(2026, 1, 25),
            litres=Decimal("30"),
            amount=Decimal("250"),
            odometer=50_800,
        )
        row = costs_of_vehicle(a.vehicle, START, END)
        self.assertEqual((row.fuel, row.repair, row.insurance), (600, 800, 950))
        self.assertEqual(row.km, 1_000)
        self.assertEqual(row.per_km, Decimal("1.40"))
        self.assertEqual(row.total, Decimal("2350"))

    def test_outside_the_period_nothing_counts(self):
        row = costs_of_vehicle(self.world.a.vehicle, datetime.date(2025, 1, 1), START)
        self.assertEqual((row.fuel, row.km, row.per_km), (0, 0, None))

    def test_by_organization_follows_the_scope(self):
        rows = costs_by_organization(self.user_with_perm, START, END)
        self.assertEqual([r.label for r in rows], [self.world.a.org.name])
        (row,) = rows
        # A single reading pair: 49,800 → 49,900 = 100 km; (350 + 800) / 100.
        self.assertEqual((row.vehicles, row.km, row.per_km), (1, 100, Decimal("11.50")))
        self.assertEqual(row.per_vehicle, Decimal("2100.00"))
        bureau_city = make_user("bureau_city", [Role.BUREAU_ADMIN], scope_region=self.world.city)
        self.assertEqual(len(costs_by_organization(bureau_city, START, END)), 2)

    def test_a_vehicle_without_readings_has_no_cost_per_km(self):
        self.assertIsNone(CostRow(key=1, label="x", vehicles=2, fuel=Decimal(100)).per_km)
        self.assertIsNone(CostRow(key=1, label="x").per_vehicle)

    def test_organizations_without_distance_sort_last(self):
        other = VehicleFactory(organization=self.world.a.sub_org)
        RepairRecord.objects.create(
            vehicle=other, repaired_on=START, amount=Decimal(100), description="补胎"
        )
        InsurancePolicy.objects.create(
            vehicle=other, insurer="人保", start_on=START, end_on=END, premium=Decimal(1)
        )
        rows = costs_by_organization(self.user_with_perm, START, END)
        self.assertEqual([r.per_km is None for r in rows], [False, True])
        chart = cost_per_km_chart(rows, START, END)
        self.assertEqual(len(chart["links"]["0"]), 1)
        self.assertIn(f"unit={self.world.a.org.pk}", chart["links"]["0"][0])
        self.assertIn("filled_after=2026-01-01", chart["links"]["0"][0])


class TestCharts(VehiclesWorldMixin, TestCase):
    def test_fleet_chart_links_each_category_to_its_list(self):
        VehicleFactory(organization=self.world.a.org, category="law_enforcement")
        VehicleFactory(organization=self.world.a.org, category="confidential", status="disposed")
        chart = fleet_by_category_chart(self.user_with_perm)
        self.assertEqual(chart["option"]["yAxis"]["data"], ["执法执勤用车", "一般公务用车"])
        self.assertEqual(chart["option"]["series"][0]["data"], [1, 1])
        self.assertIn("category=law_enforcement", chart["links"]["0"][0])
        self.assertIn("in_fleet=true", chart["links"]["0"][0])

    def test_share_chart_against_the_aim(self):
        org = self.world.a.org
        for energy in ("electric", "petrol", "petrol"):
            VehicleFactory(
                organization=org,
                bought_on=datetime.date(2025, 3, 1),
                energy=energy,
                displacement=None if energy == "electric" else Decimal("1.5"),
            )
        shares = shares_by_organization(self.user_with_perm, 2025)
        self.assertEqual(len(shares), 1)
        self.assertEqual(shares[0].share.percent, "33.3%")
        chart = new_energy_share_chart(self.user_with_perm, 2025, shares)
        series = chart["option"]["series"][0]
        self.assertEqual(series["data"][0]["value"], 33.3)
        # Side a's local standard raises the aim to 40%.
        self.assertEqual(series["markLine"]["data"][0]["xAxis"], 40.0)
        self.assertFalse(shares[0].share.meets)
        self.assertIn(f"organization={org.pk}", chart["links"]["0"][0])
        self.assertIn("bought_year=2025", chart["links"]["0"][0])
        # The unit sees only its own; the other side's bureau sees none of side a's.
        self.assertEqual(len(shares_by_organization(self.user_org_scoped, 2025)), 1)
        bureau_b = make_user("bureau_b", [Role.BUREAU_ADMIN], scope_region=self.world.b.region)
        self.assertEqual(shares_by_organization(bureau_b, 2025), [])


class TestInspectionReminder(VehiclesWorldMixin, TestCase):
    def test_due_and_overdue_inspections_notify_the_unit_admins_once_a_week(self):
        today = datetime.date(2026, 5, 20)  # side a's and b's inspections are due on 1 June
        AnnualInspection.objects.create(
            vehicle=self.world.a.vehicle, due_on=datetime.date(2026, 5, 1)
        )
        AnnualInspection.objects.create(
            vehicle=self.world.a.vehicle,
            due_on=datetime.date(2025, 5, 1),
            done_on=datetime.date(2025, 4, 28),
            result="passed",
        )
        summary = remind_inspections(today)
        self.assertIn("提醒年检 3 辆", summary)
        notices = Notification.objects.filter(user=self.user_org_scoped)
        self.assertEqual(notices.count(), 1)
        self.assertIn("逾期 1 辆", notices.get().message)
        self.assertIn(self.world.a.vehicle.plate, notices.get().message)
        self.assertEqual(remind_inspections(today), "没有需要提醒的年检。")
        self.assertIn("提醒年检", remind_inspections(today + datetime.timedelta(days=7)))

    def test_the_job_is_registered(self):
        from ...framework.jobs import registered_job

        job = registered_job("vehicles.inspection_reminder")
        with mock.patch("gongfang.vehicles.jobs.clock.today", return_value=START):
            self.assertEqual(job.run(), "没有需要提醒的年检。")
