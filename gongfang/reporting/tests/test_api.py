"""The reporting API: generic read tests for submissions, indicators' CRUD, and the steps (a unit
submits, the bureau returns, a stale If-Match is refused, a period is opened and closed)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from ...accounts.roles import Role
from ...framework.models import ObjectChange
from ...framework.testing import APITestCases
from ...registry.tests.world import make_user
from .. import services
from ..choices import PeriodState, SubmissionState
from ..models import EvaluationIndicator, ReportPeriod, Submission
from .world import PDF, ReportingWorld, sign_kwargs


class SubmissionAPIReadTests(ReportingWorld, APITestCases.APIViewTestCase):
    """List/retrieve are scoped; plain writes do not exist (405) — the steps are actions."""

    model = Submission

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.user_with_perm = cls.county_bureau
        cls.user_view_only = make_user("county_leader", [Role.SUPERVISOR], scope_region=cls.county)
        cls.user_no_role = make_user("nobody", [])

    def in_scope_object(self):
        return self.sub(self.county, org=True)

    def out_of_scope_object(self):
        return self.sub(self.city, org=True)

    def deletable_object(self):
        return self.in_scope_object()

    def create_data(self, *, in_scope: bool = True):
        return {"period": self.period.pk, "values": {}}

    def update_data(self):
        return {"contact_name": "李四"}

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

    test_api_update_out_of_scope_is_404 = test_api_update_with_permission

    def test_api_delete_with_permission(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.delete(self.detail_url(self.in_scope_object()))
        self.assertEqual(response.status_code, 405)

    test_api_delete_out_of_scope_is_404 = test_api_delete_with_permission

    def test_unit_sees_only_its_own(self):
        self.client.force_login(self.town_unit)
        response = self.client.get(self.list_url(), {"limit": 100})
        self.assertEqual(self.result_ids(response), {self.sub(self.town, org=True).pk})


class StepTests(ReportingWorld):
    client_class = APIClient

    def url(self, sub, step: str) -> str:
        return reverse(f"api:reporting:submission-{step}", args=[sub.pk])

    def etag(self, sub) -> str:
        response = self.client.get(reverse("api:reporting:submission-detail", args=[sub.pk]))
        self.assertEqual(response.status_code, 200)
        return response["ETag"]

    def test_unit_submits_and_bureau_returns(self):
        sub = self.sub(self.town, org=True)
        self.client.force_login(self.town_unit)
        response = self.client.post(
            self.url(sub, "save"),
            {"values": {"B12": "权属清晰"}, "contact_name": "张三", "contact_phone": "0632-1"},
            format="json",
            HTTP_IF_MATCH=self.etag(sub),
        )
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.assertEqual(response.json()["state"], SubmissionState.FILLING)
        response = self.client.post(self.url(sub, "check"), HTTP_IF_MATCH=response["ETag"])
        self.assertEqual(response.json()["state"], SubmissionState.CHECKED, response.json())
        kwargs = sign_kwargs(self.town_unit)
        kwargs.pop("scan")
        self.client.force_login(self.town_unit)  # again: the session passes the new device
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = self.client.post(
            self.url(sub, "sign"),
            {**kwargs, "scan": SimpleUploadedFile("signed.pdf", PDF)},
            format="multipart",
        )
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.assertEqual(response.json()["state"], SubmissionState.SIGNED)
        response = self.client.post(self.url(sub, "submit"), HTTP_IF_MATCH=response["ETag"])
        self.assertEqual(response.json()["state"], SubmissionState.SUBMITTED)
        # The unit cannot accept its own; the receiving bureau returns with reasons.
        self.assertEqual(self.client.post(self.url(sub, "accept")).status_code, 403)
        self.client.force_login(self.town_bureau)
        response = self.client.post(self.url(sub, "return"), {}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("reasons", response.json())
        response = self.client.post(
            self.url(sub, "return"), {"reasons": "B03 与房间台账不符"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content.decode())
        sub.refresh_from_db()
        self.assertEqual(sub.state, SubmissionState.RETURNED)
        self.assertEqual(sub.return_reasons, "B03 与房间台账不符")

    def test_an_external_submission_is_returned_only_through_exchange(self):
        sub = services.do_receive_external(
            period=self.period,
            unit=self.orgs[self.town.pk],
            content={"values": {"B12": "权属清晰"}},
            signer="李主任",
            signed_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
            actor=self.town_bureau,
        )
        self.assertTrue(sub.external)
        self.client.force_login(self.town_bureau)
        response = self.client.post(self.url(sub, "return"), {"reasons": "面积有误"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"non_field_errors": [services.EXTERNAL_RETURN]})
        self.assertIn("请在“数据交换”中退回", services.EXTERNAL_RETURN)
        sub.refresh_from_db()
        self.assertEqual(sub.state, SubmissionState.SUBMITTED)
        self.assertFalse(sub.actions.filter(action="return").exists())
        # Exchange's return (which makes the return package around it) goes through.
        services.do_return_external(submission=sub, reasons="面积有误", actor=self.town_bureau)
        sub.refresh_from_db()
        self.assertEqual(sub.state, SubmissionState.RETURNED)
        # Filled and submitted on this system afterwards, the figures are no longer a package's:
        # returned here, and not through exchange.
        self.send(sub)
        sub.refresh_from_db()
        self.assertFalse(sub.external)
        with self.assertRaisesMessage(ValidationError, "已在本系统内重新报送"):
            services.do_return_external(submission=sub, reasons="再核", actor=self.town_bureau)
        response = self.client.post(self.url(sub, "return"), {"reasons": "再核"}, format="json")
        self.assertEqual(response.status_code, 200, response.content.decode())

    def test_stale_if_match_is_refused(self):
        sub = self.sub(self.town, org=True)
        self.client.force_login(self.town_unit)
        old = self.etag(sub)
        services.do_save(submission=sub, values={"B12": "权属清晰"}, actor=self.town_unit)
        response = self.client.post(self.url(sub, "check"), HTTP_IF_MATCH=old)
        self.assertEqual(response.status_code, 412)
        sub.refresh_from_db()
        self.assertEqual(sub.state, SubmissionState.FILLING)
        self.assertEqual(sub.check_results, [])

    def test_accept_and_correct(self):
        sub = self.sub(self.town, org=True)
        self.send(sub)
        self.client.force_login(self.town_bureau)
        response = self.client.post(self.url(sub, "accept"), HTTP_IF_MATCH=self.etag(sub))
        self.assertEqual(response.json()["state"], SubmissionState.ACCEPTED)
        self.client.force_login(self.town_unit)
        response = self.client.post(self.url(sub, "correct"), {"reason": "面积更正"}, format="json")
        self.assertEqual(response.status_code, 201, response.content.decode())
        self.assertEqual(response.json()["revision"], 2)

    def test_other_unit_cannot_act(self):
        sub = self.sub(self.county, org=True)
        self.client.force_login(self.town_unit)
        response = self.client.post(self.url(sub, "check"))
        self.assertEqual(response.status_code, 404)


class PeriodAPITests(ReportingWorld):
    client_class = APIClient

    def test_open_and_close(self):
        self.client.force_login(self.county_bureau)
        body = {
            "form": self.form.pk,
            "region": self.county.pk,
            "year": 2027,
            "as_of": "2027-06-30",
            "deadline": "2027-12-31",
        }
        response = self.client.post(reverse("api:reporting:reportperiod-open"), body, format="json")
        self.assertEqual(response.status_code, 201, response.content.decode())
        period = ReportPeriod.objects.get(pk=response.json()["id"])
        self.assertTrue(Submission.objects.filter(period=period).exists())
        close = reverse("api:reporting:reportperiod-close", args=[period.pk])
        response = self.client.post(close, {}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("reason", response.json())
        response = self.client.post(close, {"reason": "上级通知提前结束"}, format="json")
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.assertEqual(response.json()["state"], PeriodState.CLOSED)
        reopen = reverse("api:reporting:reportperiod-reopen", args=[period.pk])
        self.assertEqual(self.client.post(reopen, {}, format="json").status_code, 400)
        response = self.client.post(reopen, {"reason": "补报建设项目"}, format="json")
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.assertEqual(response.json()["state"], PeriodState.OPEN)
        # A unit may not open one.
        self.client.force_login(self.town_unit)
        body["year"] = 2028
        response = self.client.post(reverse("api:reporting:reportperiod-open"), body, format="json")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            ReportPeriod.objects.filter(year=2028).count(), 0, "nothing written on refusal"
        )


class ClosePeriodTests(ReportingWorld):
    def test_close_when_all_accepted_and_frozen_after(self):
        town_org = self.sub(self.town, org=True)
        with self.assertRaises(services.ValidationError):
            services.do_close_period(period=self.period, actor=self.city_bureau)
        with self.assertRaises(services.PermissionDenied):
            services.do_close_period(period=self.period, actor=self.county_bureau, reason="x")
        closed = services.do_close_period(
            period=self.period, actor=self.city_bureau, reason="年度工作结束"
        )
        self.assertEqual(closed.state, PeriodState.CLOSED)
        self.assertTrue(
            ObjectChange.objects.filter(
                event="reportperiod.close", changed_object_id=self.period.pk
            ).exists()
        )
        with self.assertRaises(services.ValidationError):
            services.do_save(submission=town_org, values={"B12": "x"}, actor=self.town_unit)
        with self.assertRaises(services.ValidationError):
            services.do_close_period(period=self.period, actor=self.city_bureau, reason="again")

    def test_reopen_needs_the_opener_and_a_reason_then_units_correct_again(self):
        town_org = self.sub(self.town, org=True)
        with self.assertRaises(services.ValidationError):
            services.do_reopen_period(period=self.period, actor=self.city_bureau, reason="x")
        services.do_close_period(period=self.period, actor=self.city_bureau, reason="年度工作结束")
        with self.assertRaises(services.PermissionDenied):
            services.do_reopen_period(period=self.period, actor=self.county_bureau, reason="x")
        with self.assertRaises(services.ValidationError):
            services.do_reopen_period(period=self.period, actor=self.city_bureau, reason=" ")
        opened = services.do_reopen_period(
            period=self.period, actor=self.city_bureau, reason="省厅通知补报建设项目信息"
        )
        self.assertEqual(opened.state, PeriodState.OPEN)
        event = ObjectChange.objects.get(
            event="reportperiod.reopen", changed_object_id=self.period.pk
        )
        self.assertEqual(event.postchange_data["comment"], "省厅通知补报建设项目信息")
        saved = services.do_save(
            submission=town_org, values={"B12": "权属清晰"}, actor=self.town_unit
        )
        self.assertEqual(saved.values["B12"], "权属清晰")

    def test_period_page_closes_and_reopens(self):
        self.client.force_login(self.city_bureau)
        url = self.period.get_absolute_url()
        self.client.post(url, {"action": "close", "reason": "年度工作结束"})
        self.period.refresh_from_db()
        self.assertEqual(self.period.state, PeriodState.CLOSED)
        page = self.client.get(url)
        self.assertContains(page, "重新开启")
        self.assertNotContains(page, 'value="remind"')
        with self.assertRaises(services.ValidationError):
            services.do_remind(period=self.period, actor=self.city_bureau)
        page = self.client.post(url, {"action": "reopen", "reason": ""}, follow=True)
        self.assertContains(page, "重新开启报送期须写明理由")
        self.client.post(url, {"action": "reopen", "reason": "补报"})
        self.period.refresh_from_db()
        self.assertEqual(self.period.state, PeriodState.OPEN)

    def test_close_without_reason_once_everything_accepted(self):
        # Bottom-up: each unit, then each bureau, accepted by the level above.
        order = [
            (self.town, True, self.town_bureau),
            (self.town, False, self.county_bureau),
            (self.county, True, self.county_bureau),
            (self.county, False, self.city_bureau),
            (self.city, True, self.city_bureau),
        ]
        for region, org, receiver in order:
            sub = self.sub(region, org=org)
            self.send(sub)
            services.do_accept(submission=sub, actor=receiver)
        closed = services.do_close_period(period=self.period, actor=self.city_bureau)
        self.assertEqual(closed.state, PeriodState.CLOSED)

    def test_period_page_close_button(self):
        self.client.force_login(self.city_bureau)
        url = reverse("reporting:reportperiod", args=[self.period.pk])
        self.assertContains(self.client.get(url), "结束报送期")
        response = self.client.post(url, {"action": "close", "reason": "提前结束"})
        self.assertEqual(response.status_code, 302)
        self.period.refresh_from_db()
        self.assertEqual(self.period.state, PeriodState.CLOSED)


class IndicatorAPITests(ReportingWorld):
    client_class = APIClient

    def test_bureau_creates_and_unit_cannot(self):
        url = reverse("api:reporting:evaluationindicator-list")
        body = {"code": "K9", "name": "测试指标", "kind": "on_time", "points": "5.0"}
        self.client.force_login(self.town_unit)
        self.assertEqual(self.client.post(url, body, format="json").status_code, 403)
        self.client.force_login(self.city_bureau)
        response = self.client.post(url, body, format="json")
        self.assertEqual(response.status_code, 201, response.content.decode())
        self.assertTrue(EvaluationIndicator.objects.filter(code="K9").exists())

    def test_scores_follow_submission_scope(self):
        services.do_evaluate(period=self.period, actor=self.city_bureau)
        url = reverse("api:reporting:evaluationscore-list")
        self.client.force_login(self.town_unit)
        rows = self.client.get(url, {"limit": 1000}).json()["results"]
        own = self.sub(self.town, org=True).pk
        self.assertTrue(rows)
        self.assertEqual({r["submission"] for r in rows}, {own})
