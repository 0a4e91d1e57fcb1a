"""A finding's life cycle by role, its scope, the rules' revision, the monthly export and the pages
(generic page tests of the framework for findings, rule versions and areas)."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from ...accounts.roles import Role
from ...framework.models import ObjectChange
from ...framework.testing import ViewTestCases
from ...registry.tests.world import make_user
from .. import scan, services
from ..models import Anomaly, RegionArea, RuleVersion
from .world import SupervisionWorldMixin, make_trip


class FindingsMixin(SupervisionWorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Holiday trips without dispatch on both sides: V1 and V4 each.
        cls.trip_a = make_trip(cls.world.a.vehicle, "2026-10-01T10:00", "2026-10-01T11:00")
        cls.trip_b = make_trip(cls.world.b.vehicle, "2026-10-02T10:00", "2026-10-02T11:00")
        scan.scan_trips([cls.trip_a, cls.trip_b])
        cls.v1_a = Anomaly.objects.get(trip=cls.trip_a, rule="V1")
        cls.v1_b = Anomaly.objects.get(trip=cls.trip_b, rule="V1")


class LifeCycleTests(FindingsMixin, TestCase):
    def test_bureau_confirms(self):
        a = services.move(actor=self.user_with_perm, anomaly=self.v1_a, to="confirmed")
        self.assertEqual(a.state, "confirmed")
        self.assertEqual(a.decided_by, self.user_with_perm)
        change = ObjectChange.objects.filter(event="anomaly.confirmed").get()
        self.assertEqual(change.changed_object_id, a.pk)

    def test_unit_explains_then_supervisor_dismisses(self):
        a = services.move(
            actor=self.user_org_scoped, anomaly=self.v1_a, to="explained", reason="防汛抢险用车"
        )
        self.assertEqual(a.state, "explained")
        with self.assertRaises(PermissionDenied):
            services.move(actor=self.user_org_scoped, anomaly=a, to="dismissed", reason="x")
        a = services.move(
            actor=self.user_view_only, anomaly=a, to="dismissed", reason="经核实为抢险"
        )
        self.assertEqual(a.state, "dismissed")
        a = services.move(actor=self.user_with_perm, anomaly=a, to="open", reason="复核")
        self.assertEqual(a.state, "open")

    def test_reason_required_and_states_checked(self):
        with self.assertRaises(ValidationError) as ctx:
            services.move(actor=self.user_with_perm, anomaly=self.v1_a, to="dismissed")
        self.assertIn("排除须填写理由", str(ctx.exception))
        services.move(actor=self.user_with_perm, anomaly=self.v1_a, to="confirmed")
        with self.assertRaises(ValidationError):
            services.move(actor=self.user_org_scoped, anomaly=self.v1_a, to="explained", reason="x")

    def test_stale_version_refused(self):
        with self.assertRaises(ValidationError):
            services.move(
                actor=self.user_with_perm, anomaly=self.v1_a, to="confirmed", expected_version=99
            )

    def test_out_of_scope_refused(self):
        with self.assertRaises(PermissionDenied):
            services.move(actor=self.user_with_perm, anomaly=self.v1_b, to="confirmed")

    def test_scope(self):
        unit_b = make_user("unit_b", [Role.UNIT_ADMIN], scope_organization=self.world.b.org)
        self.assertEqual(
            set(Anomaly.objects.restrict(self.user_org_scoped).values_list("vehicle", flat=True)),
            {self.world.a.vehicle.pk},
        )
        self.assertEqual(
            set(Anomaly.objects.restrict(unit_b).values_list("vehicle", flat=True)),
            {self.world.b.vehicle.pk},
        )
        seen = set(Anomaly.objects.restrict(self.user_view_only).values_list("pk", flat=True))
        self.assertEqual(
            seen,
            set(Anomaly.objects.filter(region=self.world.a.region).values_list("pk", flat=True)),
        )
        self.assertNotIn(self.v1_b.pk, seen)

    def test_page_actions(self):
        self.client.force_login(self.user_with_perm)
        url = self.v1_a.get_absolute_url()
        page = self.client.get(url)
        self.assertContains(page, "2026-10-01 国庆节 法定节假日")
        self.assertContains(page, "确认违规")
        move = reverse("supervision:anomaly_move", args=[self.v1_a.pk, "dismissed"])
        refused = self.client.post(move, {"reason": "", "version": self.v1_a.version})
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "排除须填写理由", status_code=400)
        done = self.client.post(move, {"reason": "公务抢险", "version": self.v1_a.version})
        self.assertRedirects(done, url)
        self.v1_a.refresh_from_db()
        self.assertEqual(self.v1_a.state, "dismissed")
        self.assertEqual(
            self.client.post(
                reverse("supervision:anomaly_move", args=[self.v1_a.pk, "nonsense"])
            ).status_code,
            404,
        )

    def test_unit_sees_explain_only(self):
        self.client.force_login(self.user_org_scoped)
        page = self.client.get(self.v1_a.get_absolute_url())
        self.assertContains(page, "说明情况")
        self.assertNotContains(page, "确认违规")
        self.assertEqual(self.client.get(self.v1_b.get_absolute_url()).status_code, 404)

    def test_todo_cards(self):
        from ..setup import todo_panels

        unit = todo_panels(self.user_org_scoped)
        self.assertEqual(unit[0].context["title"], "待说明的用车异常")
        self.assertEqual(unit[0].context["count"], 2)
        self.assertEqual(todo_panels(self.user_with_perm)[0].context["title"], "待核实的用车异常")

    def test_monthly_export(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get(
            reverse("supervision:anomaly_list"), {"month": "2026-10", "export": "xlsx"}
        )
        self.assertEqual(response.status_code, 200)
        book = load_workbook(io.BytesIO(response.content))
        rows = list(book["异常线索"].values)
        self.assertEqual(rows[0][:4], ("编号", "所属单位", "所在区划", "车牌号"))
        self.assertEqual(len(rows), 3)  # V1 and V4 of side a only
        self.assertIn("2026-10-01 10:00", [r[5] for r in rows[1:]])
        summary = list(book["按单位汇总"].values)
        self.assertEqual(summary[1][0], self.world.a.org.name)
        self.assertEqual(summary[1][-1], 2)
        empty = self.client.get(
            reverse("supervision:anomaly_list"), {"month": "2026-09", "export": "xlsx"}
        )
        self.assertEqual(len(list(load_workbook(io.BytesIO(empty.content))["异常线索"].values)), 1)

    def test_pages_render(self):
        self.client.force_login(self.user_with_perm)
        for url in (
            reverse("supervision:overview"),
            reverse("supervision:overview") + "?month=2026-10",
            reverse("supervision:overview") + "?month=garbage",
            reverse("supervision:fleet_map"),
            reverse("supervision:playback", args=[self.world.a.vehicle.pk]) + "?day=2026-10-01",
            reverse("supervision:playback", args=[self.world.a.vehicle.pk]) + "?day=bad",
            reverse("supervision:scannote_list"),
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 200)
        page = self.client.get(
            reverse("supervision:playback", args=[self.world.a.vehicle.pk]) + "?day=2026-10-01"
        )
        self.assertContains(page, "2026-10-01 国庆节 法定节假日")
        self.assertContains(page, self.v1_a.get_absolute_url())
        self.assertEqual(
            self.client.get(
                reverse("supervision:playback", args=[self.world.b.vehicle.pk])
            ).status_code,
            404,
        )

    def test_api_read_only_and_scoped(self):
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(self.user_org_scoped)
        url = reverse("api:supervision:anomaly-list")
        rows = client.get(url, {"limit": 100}).json()["results"]
        self.assertEqual(
            {r["id"] for r in rows},
            set(Anomaly.objects.filter(trip=self.trip_a).values_list("pk", flat=True)),
        )
        detail = reverse("api:supervision:anomaly-detail", args=[self.v1_b.pk])
        self.assertEqual(client.get(detail).status_code, 404)
        client.force_authenticate(self.user_with_perm)
        self.assertEqual(client.post(url, {}, format="json").status_code, 405)

    def test_rule_revision_is_a_new_version(self):
        national = RuleVersion.objects.get(rule="V4", region=None)
        self.client.force_login(self.user_with_perm)
        url = reverse("supervision:ruleversion_revise", args=[national.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        bad = self.client.post(url, {"p_tolerance_min": "-3", "source": "x", "enabled": "on"})
        self.assertEqual(bad.status_code, 400)
        response = self.client.post(
            url,
            {
                "p_tolerance_min": "30",
                "source": "市局会议纪要〔2026〕5号",
                "enabled": "on",
                "effective_from": "2026-11-01",
            },
        )
        new = RuleVersion.objects.get(rule="V4", region=self.world.a.region)
        self.assertRedirects(response, new.get_absolute_url())
        self.assertEqual((new.number, new.parameters), (1, {"tolerance_min": 30.0}))
        again = services.revise_rule(
            actor=self.user_with_perm,
            version=new,
            parameters={"tolerance_min": 20.0},
            enabled=True,
            source="再次修订",
            effective_from=datetime.date(2026, 12, 1),
        )
        new.refresh_from_db()
        self.assertEqual(again.number, 2)
        self.assertEqual(new.effective_to, datetime.date(2026, 11, 30))
        national.refresh_from_db()
        self.assertEqual(national.parameters, {"tolerance_min": 15.0})
        with self.assertRaises(PermissionDenied):
            services.revise_rule(
                actor=self.user_org_scoped,
                version=national,
                parameters={"tolerance_min": 1.0},
                enabled=True,
                source="x",
            )


# Generic page tests ------------------------------------------------------------------------------
class AnomalyData(FindingsMixin):
    model = Anomaly

    def in_scope_object(self):
        return self.v1_a

    def out_of_scope_object(self):
        return self.v1_b


class TestAnomalyViews(
    AnomalyData, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase
):
    """Findings are written by the scan and moved by their steps: no add, edit or delete pages."""


class RuleVersionData(SupervisionWorldMixin):
    model = RuleVersion

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.local_a, cls.local_b = (
            RuleVersion.objects.create(
                rule="V3",
                region=side.region,
                number=1,
                parameters={"night_start_h": 21.0, "night_end_h": 6.0},
                source=f"{side.region.name}规定",
                effective_from=datetime.date(2026, 1, 1),
            )
            for side in (cls.world.a, cls.world.b)
        )

    def in_scope_object(self):
        return self.local_a

    def out_of_scope_object(self):
        return self.local_b


class TestRuleVersionViews(
    RuleVersionData, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase
):
    """Versions are revised into new ones (RuleReviseView), never edited."""


class RegionAreaData(SupervisionWorldMixin):
    """Areas are the bureau's setting (scope without organization): a unit does not list them."""

    model = RegionArea

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.user_org_scoped = None
        cls.area_a = RegionArea.objects.create(
            region=cls.world.a.region, south=34.6, west=116.9, north=35.3, east=117.6, source="测绘"
        )
        cls.area_b = RegionArea.objects.create(
            region=cls.world.b.region, south=34.7, west=117.4, north=35.0, east=117.8
        )

    def in_scope_object(self):
        return self.area_a

    def out_of_scope_object(self):
        return self.area_b

    def update_data(self) -> dict[str, Any]:
        return {"north": 35.4}


class TestRegionAreaViews(
    RegionAreaData,
    ViewTestCases.ListViewTestCase,
    ViewTestCases.DetailViewTestCase,
    ViewTestCases.EditViewTestCase,
):
    pass
