"""Pages and API of the warning centre, the badges and explanations on registry pages, the
dashboard's warning figures. Warnings are not created by users: the generic list/detail tests
apply, the write tests of the generic API case are replaced by "the API refuses writes"."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ...accounts.roles import Role
from ...framework.models import ObjectChange
from ...framework.testing import APITestCases, ViewTestCases
from ...registry.choices import RegionLevel
from ...registry.tests import factories as f
from ...registry.tests.world import WorldMixin, make_user
from ..models import Mode, State, Warning
from ..services import scan


class WarningWorld(WorldMixin):
    """The registry's two-sided world, scanned: one R1 warning per side."""

    model = Warning

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        scan()
        cls.leader = make_user("leader_a", [Role.LEADER], scope_region=cls.world.a.region)

    def in_scope_object(self) -> Warning:
        return Warning.objects.get(key=f"R1:room:{self.world.a.room.pk}")

    def out_of_scope_object(self) -> Warning:
        return Warning.objects.get(key=f"R1:room:{self.world.b.room.pk}")


class WarningListPageTests(WarningWorld, ViewTestCases.ListViewTestCase):
    def test_counts_and_filters(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get(reverse("compliance:warning_list"), {"rule": "R1"})
        counts = response.context["counts"]
        self.assertEqual((counts.total, counts.active), (1, 1))
        self.assertEqual(counts.area, Decimal("9.00"))
        r1 = next(r for r in counts.by_rule if r.key == "R1")
        self.assertEqual(r1.count, 1)
        self.assertIn("rule=R1", r1.url)
        self.assertEqual([r.label for r in counts.by_organization], [self.world.a.org.name])
        self.assertContains(response, "导出当前筛选结果")
        empty = self.client.get(reverse("compliance:warning_list"), {"rule": "R5"})
        self.assertEqual(empty.context["counts"].total, 0)

    def test_counts_by_sub_region_for_a_city_bureau(self):
        city = make_user("city", [Role.BUREAU_ADMIN], scope_region=self.world.city)
        self.client.force_login(city)
        counts = self.client.get(reverse("compliance:warning_list")).context["counts"]
        self.assertEqual({r.key for r in counts.by_region}, {"370481", "370402"})
        row = next(r for r in counts.by_region if r.key == "370481")
        self.assertIn("region=370481", row.url)
        drilled = self.client.get(row.url).context["counts"]
        self.assertEqual(drilled.total, 1)

    def test_htmx_reload_swaps_the_counts_too(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get(
            reverse("compliance:warning_list"), {"state": "open"}, HTTP_HX_REQUEST="true"
        )
        content = response.content.decode()
        self.assertIn('id="object-table"', content)
        self.assertIn('hx-swap-oob="true"', content)
        self.assertNotIn("<html", content)

    def test_menu_entry(self):
        self.client.force_login(self.user_view_only)
        self.assertContains(self.client.get(reverse("home")), "预警中心")

    def test_query_count_does_not_grow_with_warnings(self):
        self.client.force_login(self.user_with_perm)

        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                self.client.get(reverse("compliance:warning_list"))
            return len(ctx.captured_queries)

        before = queries()
        for n in range(4):
            room = f.RoomFactory(
                floor=self.world.a.floor, number=f"5{n}", organization=self.world.a.org
            )
            f.OccupancyFactory(room=room, person=f.PersonFactory(organization=self.world.a.org))
        scan()
        self.assertEqual(Warning.objects.count(), 6)
        self.assertEqual(queries(), before)


class WarningDetailPageTests(WarningWorld, ViewTestCases.DetailViewTestCase):
    def test_detail_shows_figures_clause_parameters_history_and_forms(self):
        self.client.force_login(self.user_with_perm)
        warning = self.in_scope_object()
        response = self.client.get(warning.get_absolute_url())
        self.assertContains(response, "18.00")
        self.assertContains(response, "判定时使用的参数")
        self.assertContains(response, "R1 办公室面积容差")
        self.assertContains(response, "发现问题，生成预警")
        self.assertContains(response, warning.clause[:20])
        self.assertContains(response, self.world.a.room.get_absolute_url())
        names = [f.transition.name for f in response.context["forms"]]
        self.assertEqual(names, ["rectify", "defer", "file"])

    def test_supervisor_sees_no_forms(self):
        self.client.force_login(self.user_view_only)
        response = self.client.get(self.in_scope_object().get_absolute_url())
        self.assertEqual(response.context["forms"], [])
        self.assertNotContains(response, "修改</a>")

    def test_transition_through_the_page(self):
        self.client.force_login(self.user_org_scoped)
        warning = self.in_scope_object()
        url = reverse("compliance:warning_transition", args=[warning.pk, "rectify"])
        deadline = timezone.localdate() + datetime.timedelta(days=30)
        bad = self.client.post(url, {"rectify-mode": Mode.DEADLINE, "rectify-deadline": ""})
        self.assertEqual(bad.status_code, 200)
        self.assertContains(bad, "限期整改须填写整改期限")
        ok = self.client.post(
            url,
            {
                "rectify-mode": Mode.DEADLINE,
                "rectify-deadline": deadline.isoformat(),
                "rectify-reason": "拆分为两间",
            },
        )
        self.assertRedirects(ok, warning.get_absolute_url(), fetch_redirect_response=False)
        warning.refresh_from_db()
        self.assertEqual((warning.state, warning.deadline), (State.RECTIFYING, deadline))
        history = self.client.get(warning.get_absolute_url()).context["history"]
        self.assertEqual(history[0]["label"], "开始整改")
        self.assertEqual(history[0]["reason"], "拆分为两间")

    def test_transition_forbidden_for_the_role_and_404_out_of_scope(self):
        self.client.force_login(self.user_view_only)
        warning = self.in_scope_object()
        url = reverse("compliance:warning_transition", args=[warning.pk, "rectify"])
        self.assertEqual(self.client.post(url, {"rectify-mode": Mode.ON_SITE}).status_code, 403)
        self.client.force_login(self.user_with_perm)
        other = self.out_of_scope_object()
        url = reverse("compliance:warning_transition", args=[other.pk, "rectify"])
        self.assertEqual(self.client.post(url, {"rectify-mode": Mode.ON_SITE}).status_code, 404)
        self.assertEqual(self.client.get(url).status_code, 405)

    def test_bureau_defer_goes_to_approval(self):
        from .. import hooks

        numbers = []

        def handler(*, actor, warning, action, reason):
            numbers.append(f"机管缓〔2026〕{len(numbers) + 1}号")
            return hooks.WaiverRequest(number=numbers[-1], url="")

        previous = hooks.waiver_handler()
        hooks.register_waiver_handler(handler)
        self.addCleanup(hooks.register_waiver_handler, previous)
        self.client.force_login(self.user_with_perm)
        warning = self.in_scope_object()
        page = self.client.get(warning.get_absolute_url())
        self.assertNotContains(page, 'name="defer-approver"')
        self.assertContains(page, "签批后预警状态才改变")
        url = reverse("compliance:warning_transition", args=[warning.pk, "defer"])
        response = self.client.post(url, {"defer-reason": "结构原因"}, follow=True)
        self.assertContains(response, "申请已提交审批（机管缓〔2026〕1号）")
        warning.refresh_from_db()
        self.assertEqual((warning.state, warning.approver), (State.OPEN, None))
        self.assertContains(response, "暂不整改（提请审批）")
        self.assertContains(response, "审批事项：机管缓〔2026〕1号")
        # The API says the same, with 202 and the case's number.
        api = self.client.post(
            f"/api/compliance/warnings/{warning.pk}/transition/",
            {"action": "file", "reason": "历史遗留"},
            content_type="application/json",
        )
        self.assertEqual(api.status_code, 202)
        self.assertEqual(api.json()["case"], "机管缓〔2026〕2号")
        self.assertIn("审批人签批后", api.json()["detail"])
        warning.refresh_from_db()
        self.assertEqual(warning.state, State.OPEN)

    def test_without_an_engine_bureau_defers_with_a_leader_as_approver(self):
        from .. import hooks

        previous = hooks.waiver_handler()
        hooks.unregister_waiver_handler()
        self.addCleanup(hooks.register_waiver_handler, previous)
        self.client.force_login(self.user_with_perm)
        warning = self.in_scope_object()
        url = reverse("compliance:warning_transition", args=[warning.pk, "defer"])
        response = self.client.post(
            url, {"defer-reason": "结构原因", "defer-approver": self.leader.pk}
        )
        self.assertEqual(response.status_code, 302)
        warning.refresh_from_db()
        self.assertEqual((warning.state, warning.approver), (State.DEFERRED, self.leader))


class WarningExportTests(WarningWorld, TestCase):
    def test_csv_with_bom_of_the_filtered_rows_and_logged(self):
        city = make_user("city", [Role.BUREAU_ADMIN], scope_region=self.world.city)
        self.client.force_login(city)
        response = self.client.get(reverse("compliance:warning_export"), {"region": "370481"})
        self.assertEqual(response.status_code, 200)
        body = b"".join(response.streaming_content).decode("utf-8")
        self.assertTrue(body.startswith("\ufeff编号,规则"))
        lines = body.strip().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertIn(self.world.a.room.number, lines[1])
        event = ObjectChange.objects.get(event="warning.export")
        self.assertEqual(event.user, city)
        self.assertEqual(event.postchange_data, {"filters": {"region": "370481"}, "rows": 1})

    def test_export_stays_in_scope_and_needs_the_permission(self):
        self.client.force_login(self.user_with_perm)
        body = b"".join(
            self.client.get(reverse("compliance:warning_export")).streaming_content
        ).decode()
        self.assertNotIn(self.world.b.room.number + ",", body.split("\n", 1)[1].replace("101,", ""))
        self.assertEqual(len(body.strip().splitlines()), 2)
        self.client.force_login(self.user_no_role)
        self.assertEqual(self.client.get(reverse("compliance:warning_export")).status_code, 403)

    def test_a_formula_is_never_exported_as_one(self):
        from ..views import _cell

        self.assertEqual(_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)")
        self.assertEqual(_cell("-3"), "'-3")
        self.assertEqual(_cell("办公室"), "办公室")


class RegistryPageTests(WarningWorld, TestCase):
    def test_room_page_badge_and_explanation(self):
        self.client.force_login(self.user_view_only)
        response = self.client.get(self.world.a.room.get_absolute_url())
        self.assertContains(response, "超标预警 1")
        explanation = response.context["explanation"]
        self.assertEqual(explanation["limit"], Decimal("9"))
        self.assertEqual(explanation["area"], Decimal("18.00"))
        self.assertTrue(explanation["over"])
        self.assertContains(response, "面积标准核对")
        self.assertContains(response, "结论：不符合规定")

    def test_person_page_explains_his_limit(self):
        self.client.force_login(self.user_view_only)
        response = self.client.get(self.world.a.person.get_absolute_url())
        e = response.context["explanation"]
        self.assertEqual((e["own"]["limit"], e["own"]["standard_level"]), (Decimal("9"), "县级"))
        self.assertEqual(e["own"]["grade"], "科员及以下")
        self.assertEqual(len(e["offices"]), 1)
        self.assertIn("表1", e["own"]["clause"])
        self.assertContains(response, "办公室面积标准")

    def test_organization_page_shows_the_approved_total(self):
        self.client.force_login(self.user_view_only)
        response = self.client.get(self.world.a.org.get_absolute_url())
        approved = response.context["explanation"]["approved"]
        # 编制 20, one 县处级正职 post (30 m²), 19 × 9 m²; B = 20 × 6 m².
        self.assertEqual((approved.a, approved.b), (Decimal("201"), Decimal("120")))
        self.assertContains(response, "核定使用面积 A+B")

    def test_accounts_without_warning_rights_see_neither(self):
        surveyor = make_user("surveyor_a", [Role.SURVEYOR], scope_region=self.world.a.region)
        self.client.force_login(surveyor)
        response = self.client.get(self.world.a.room.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("explanation", response.context)
        self.assertNotContains(response, "超标预警")


class DashboardTests(WarningWorld, TestCase):
    def test_region_dashboard_drills_down_to_organizations_and_rooms(self):
        city = make_user("city", [Role.BUREAU_ADMIN], scope_region=self.world.city)
        self.client.force_login(city)
        response = self.client.get(reverse("home"))
        warnings = response.context["warnings"]
        self.assertEqual((warnings.active, warnings.area), (2, Decimal("18.00")))
        rows = {r.key: r.warnings for r in response.context["board"].rows}
        self.assertEqual(rows["370481"].count, 1)
        self.assertEqual(
            {o.label for o in warnings.organizations}, {"滕州市教育局", "市中区教育局"}
        )
        self.assertTrue(
            warnings.organizations[0].url.startswith(reverse("home") + "?organization=")
        )
        org_page = self.client.get(warnings.organizations[0].url).context["warnings"]
        self.assertEqual(len(org_page.rooms), 1)
        self.assertIn("/rooms/", org_page.rooms[0]["url"])

    def test_dashboard_queries_do_not_grow(self):
        city = make_user("city", [Role.BUREAU_ADMIN], scope_region=self.world.city)
        self.client.force_login(city)

        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                self.client.get(reverse("home"))
            return len(ctx.captured_queries)

        before = queries()
        region = f.RegionFactory(
            code="370403", name="薛城区", level=RegionLevel.COUNTY, parent=self.world.city
        )
        org = f.OrganizationFactory(region=region)
        floor = f.FloorFactory(
            building=f.BuildingFactory(compound=f.CompoundFactory(region=region, owner_org=org))
        )
        for n in range(3):
            room = f.RoomFactory(floor=floor, number=f"10{n}", organization=org)
            f.OccupancyFactory(room=room, person=f.PersonFactory(organization=org))
        scan()
        self.assertEqual(queries(), before)


# API -------------------------------------------------------------------------------------------------
class WarningAPITests(WarningWorld, APITestCases.APIViewTestCase):
    """The generic read tests; writes other than transitions do not exist (405)."""

    def deletable_object(self):
        return self.in_scope_object()

    def create_data(self, *, in_scope: bool = True):
        return {"rule": "R1", "key": "x", "summary": "x"}

    def update_data(self):
        return {"state": State.RESOLVED}

    def test_api_create_with_permission(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.post(self.list_url(), self.create_data(), format="json")
        self.assertEqual(response.status_code, 405)

    test_api_create_out_of_scope_is_refused = test_api_create_with_permission

    def test_api_update_with_permission(self):
        self.client.force_login(self.user_with_perm)
        obj = self.in_scope_object()
        response = self.client.patch(self.detail_url(obj), self.update_data(), format="json")
        self.assertEqual(response.status_code, 405)
        obj.refresh_from_db()
        self.assertEqual(obj.state, State.OPEN)

    def test_api_update_out_of_scope_is_404(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.patch(
            self.detail_url(self.out_of_scope_object()), self.update_data(), format="json"
        )
        self.assertEqual(response.status_code, 405)

    def test_api_delete_with_permission(self):
        self.client.force_login(self.user_with_perm)
        self.assertEqual(
            self.client.delete(self.detail_url(self.in_scope_object())).status_code, 405
        )

    def test_api_delete_out_of_scope_is_404(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.delete(self.detail_url(self.out_of_scope_object()))
        self.assertEqual(response.status_code, 405)

    # Transitions, filters, counts ---------------------------------------------------------------
    def transition_url(self, obj) -> str:
        return reverse("api:compliance:warning-transition", args=[obj.pk])

    def test_transition_through_the_api(self):
        self.client.force_login(self.user_org_scoped)
        obj = self.in_scope_object()
        response = self.client.post(
            self.transition_url(obj), {"action": "rectify", "mode": "on_site"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["state"], State.RECTIFYING)
        self.assertEqual(response.json()["transitions"], ["rectify", "complete"])
        bad = self.client.post(
            self.transition_url(obj), {"action": "rectify", "mode": "deadline"}, format="json"
        )
        self.assertEqual(bad.status_code, 400)
        self.assertIn("deadline", bad.json())

    def test_transition_role_scope_and_anonymous(self):
        obj = self.in_scope_object()
        self.client.force_login(self.user_view_only)
        response = self.client.post(
            self.transition_url(obj), {"action": "rectify", "mode": "on_site"}, format="json"
        )
        self.assertEqual(response.status_code, 403)
        self.client.force_login(self.user_with_perm)
        other = self.out_of_scope_object()
        response = self.client.post(
            self.transition_url(other), {"action": "rectify", "mode": "on_site"}, format="json"
        )
        self.assertEqual(response.status_code, 404)
        self.client.force_login(self.user_no_role)
        self.assertEqual(
            self.client.post(
                self.transition_url(obj), {"action": "rectify"}, format="json"
            ).status_code,
            403,
        )
        anonymous = APIClient()
        self.assertIn(
            anonymous.post(self.transition_url(obj), {}, format="json").status_code, (401, 403)
        )

    def test_filters_and_counts(self):
        self.client.force_login(self.user_with_perm)
        data = self.client.get(self.list_url(), {"rule": "R1", "active": "true"}).json()
        self.assertEqual(data["count"], 1)
        self.assertEqual(self.client.get(self.list_url(), {"rule": "R3"}).json()["count"], 0)
        counts = self.client.get(reverse("api:compliance:warning-counts")).json()
        self.assertEqual(counts["total"], 1)
        self.assertEqual(next(r for r in counts["by_rule"] if r["key"] == "R1")["count"], 1)

    def test_person_entitlement(self):
        self.client.force_login(self.user_view_only)
        person = self.world.a.person
        url = reverse("api:compliance:person-entitlement-detail", args=[person.pk])
        data = self.client.get(url).json()
        self.assertEqual(data["person"]["id"], person.pk)
        self.assertEqual(data["own"]["limit"], "9.00")
        self.assertEqual(
            (data["own"]["standard_level_code"], data["own"]["grade_code"]), ("county", "staff")
        )
        self.assertIn("表1", data["own"]["clause"])
        self.assertEqual(data["offices"][0]["area"], "18.00")
        self.assertFalse(data["compliant"])
        self.assertEqual(data["findings"][0]["rule"], "R1")
        other = reverse("api:compliance:person-entitlement-detail", args=[self.world.b.person.pk])
        self.assertEqual(self.client.get(other).status_code, 404)
        self.client.force_login(self.user_no_role)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_room_and_organization_entitlements(self):
        self.client.force_login(self.user_view_only)
        room = self.client.get(
            reverse("api:compliance:room-entitlement-detail", args=[self.world.a.room.pk])
        ).json()
        self.assertEqual((room["limit"], room["area"], room["excess"]), ("9.00", "18.00", "9.00"))
        org = self.client.get(
            reverse("api:compliance:organization-entitlement-detail", args=[self.world.a.org.pk])
        ).json()
        self.assertEqual(
            (org["a"], org["b"], org["approved_usable"]), ("201.00", "120.00", "321.00")
        )
        self.assertTrue(org["compliant"])


def test_openapi_schema_validates_without_warnings(db, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(out),
    )
    paths = json.loads(out.read_text())["paths"]
    assert "/api/compliance/warnings/{id}/transition/" in paths
    assert "/api/compliance/entitlements/persons/{id}/" in paths
