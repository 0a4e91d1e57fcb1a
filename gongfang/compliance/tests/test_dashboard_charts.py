"""The dashboard's charts: drawn from the account's scope, each figure linking to its filtered list."""

from __future__ import annotations

import json
from decimal import Decimal

from django.test import TestCase

from ...registry.tests.world import WorldMixin
from ..loader import Selection
from ..services import check


def charts(response) -> dict[str, dict]:
    return {c["id"]: c["spec"] for c in response.context["charts"]}


class DashboardChartTests(WorldMixin, TestCase):
    def test_bureau_sees_its_scope_with_links(self):
        a = self.world.a
        # Side a's office over its occupant's limit: an R1 warning with excess area.
        a.room.usable_area = Decimal("60.00")
        a.room.building_area = Decimal("70.00")
        a.room.save()
        check(Selection.of(rooms=[a.room.pk, self.world.b.room.pk]))
        self.client.force_login(self.user_with_perm)
        response = self.client.get("/?dashboard=1")
        self.assertEqual(response.status_code, 200)
        found = charts(response)
        self.assertIn("chart-area-category", found)
        pie = found["chart-area-category"]
        self.assertIn("category=office", pie["links"]["0"][0])
        self.assertIn(f"region={a.region.code}", pie["links"]["0"][0])
        rules = found["chart-warning-rule"]
        self.assertIn("R1 办公室面积超标", rules["option"]["yAxis"]["data"])
        self.assertTrue(all("rule=" in url for url in rules["links"]["0"]))
        excess = found["chart-excess-org"]
        self.assertEqual(excess["option"]["yAxis"]["data"], [a.org.name])  # not side b's
        self.assertIn(f"organization={a.org.pk}", excess["links"]["0"][0])
        months = found["chart-warning-month"]
        self.assertEqual(sum(months["option"]["series"][0]["data"]), 1)
        self.assertIn("found_after=", months["links"]["0"][-1])
        # The specs reach the page as JSON for charts.js.
        self.assertContains(response, 'data-chart="chart-warning-month"')
        json.loads(json.dumps(found))

    def test_unit_account_charts_its_own_rooms(self):
        self.client.force_login(self.user_org_scoped)
        response = self.client.get("/?dashboard=1")
        pie = charts(response)["chart-area-category"]
        self.assertIn(f"unit={self.world.a.org.pk}", pie["links"]["0"][0])
