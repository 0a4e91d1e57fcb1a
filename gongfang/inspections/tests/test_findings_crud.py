"""Page and API tests of findings, rectifications, re-checks, urges and referrals from the
generic mixins (framework.testing): lists and pages scoped, the API read scoped; writes are the
services' actions (no PUT/PATCH/DELETE: 405), a unit reads its findings but not the referrals."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from ...framework import clock
from ...framework.models import ObjectChange
from ...framework.testing import APITestCases, ViewTestCases
from ..findings import recheck, refer, respond, urge
from ..models import Finding, Recheck, Rectification, Referral, Urge
from .findings_world import FindingsWorldMixin, private_media_root  # noqa: F401


class ActionOnlyAPI:
    """The generic API cases for a model written only through its services' actions."""

    def test_api_update_with_permission(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.patch(self.detail_url(self.in_scope_object()), {}, format="json")
        self.assertEqual(response.status_code, 405)

    def test_api_update_out_of_scope_is_404(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.patch(self.detail_url(self.out_of_scope_object()), {}, format="json")
        self.assertIn(response.status_code, (404, 405))

    def test_api_update_without_permission_is_forbidden(self):
        self.client.force_login(self.user_view_only)
        response = self.client.patch(self.detail_url(self.in_scope_object()), {}, format="json")
        self.assertIn(response.status_code, (403, 405))

    def test_api_delete_with_permission(self):
        obj = self.in_scope_object()
        self.client.force_login(self.user_with_perm)
        self.assertEqual(self.client.delete(self.detail_url(obj)).status_code, 405)
        self.assertTrue(self.model.objects.filter(pk=obj.pk).exists())

    def test_api_delete_out_of_scope_is_404(self):
        self.client.force_login(self.user_with_perm)
        obj = self.out_of_scope_object()
        self.assertIn(self.client.delete(self.detail_url(obj)).status_code, (404, 405))

    def test_api_delete_without_permission_is_forbidden(self):
        self.client.force_login(self.user_view_only)
        obj = self.in_scope_object()
        self.assertIn(self.client.delete(self.detail_url(obj)).status_code, (403, 405))


class ReadOnlyAPI(ActionOnlyAPI):
    def test_api_create_with_permission(self):
        self.client.force_login(self.user_with_perm)
        self.assertEqual(self.client.post(self.list_url(), {}, format="json").status_code, 405)

    def test_api_create_without_permission_is_forbidden(self):
        self.client.force_login(self.user_view_only)
        self.assertIn(self.client.post(self.list_url(), {}, format="json").status_code, (403, 405))

    def test_api_create_out_of_scope_is_refused(self):
        self.client.force_login(self.user_with_perm)
        self.assertEqual(self.client.post(self.list_url(), {}, format="json").status_code, 405)


# Findings --------------------------------------------------------------------------------------
class FindingData(FindingsWorldMixin):
    model = Finding

    def in_scope_object(self):
        return self.world.a.finding

    def out_of_scope_object(self):
        return self.world.b.finding

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        return {
            "organization": side.org.pk,
            "inspection": side.inspection.pk,
            "description": "会议室改作单位领导办公室",
            "rectification_kind": "deadline",
            "deadline": str(clock.today() + datetime.timedelta(days=15)),
        }


class TestFindingViews(
    FindingData, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase
):
    def test_create_page_for_bureau_and_supervisor_not_unit(self):
        url = reverse("inspections:finding_add")
        for user, status in (
            (self.user_with_perm, 200),
            (self.user_view_only, 200),
            (self.user_org_scoped, 403),
        ):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, status, user.username)
        self.client.force_login(self.user_view_only)
        before = Finding.objects.count()
        response = self.client.post(url, {**self.create_data(), "inspection": ""})
        self.assertEqual(response.status_code, 302)
        created = Finding.objects.exclude(pk__lt=before + 10**9).first() or Finding.objects.latest(
            "pk"
        )
        self.assertEqual(created.created_by, self.user_view_only)
        self.assertEqual(self.changes(created, ObjectChange.Action.CREATE).count(), 1)

    def test_create_out_of_scope_shows_the_error(self):
        self.client.force_login(self.user_view_only)
        before = Finding.objects.count()
        response = self.client.post(
            reverse("inspections:finding_add"),
            {**self.create_data(in_scope=False), "inspection": ""},
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.assertEqual(Finding.objects.count(), before)

    def test_finding_page_tells_the_whole_story(self):
        a = self.world.a
        respond(user=self.user_org_scoped, finding=a.finding, description="已收回")
        recheck(user=self.user_with_perm, finding=a.finding, result="reopened", note="仍有人员在用")
        urge(user=self.user_view_only, finding=a.finding, message="限期一周")
        refer(user=self.user_view_only, findings=[a.finding])
        self.client.force_login(self.user_view_only)
        page = self.client.get(a.finding.get_absolute_url())
        for text in (
            a.plan.title,
            "已收回",
            "仍有人员在用",
            "限期一周",
            "移交纪检监察",
            str(a.room),
        ):
            self.assertContains(page, text)


class TestFindingAPI(FindingData, ActionOnlyAPI, APITestCases.APIViewTestCase):
    def test_api_create_without_permission_is_forbidden(self):
        self.client.force_login(self.user_org_scoped)
        before = Finding.objects.count()
        response = self.client.post(self.list_url(), self.create_data(), format="json")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Finding.objects.count(), before)

    def test_api_actions(self):
        a = self.world.a
        finding = a.finding
        base = "api:inspections:finding-"
        self.client.force_login(self.user_org_scoped)
        response = self.client.post(
            reverse(base + "respond", args=[finding.pk]), {"description": ""}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        response = self.client.post(
            reverse(base + "respond", args=[finding.pk]), {"description": "已整改"}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.assertEqual(response.json()["state"], "responded")
        response = self.client.post(
            reverse(base + "recheck", args=[finding.pk]), {"result": "closed"}, format="json"
        )
        self.assertEqual(response.status_code, 403)
        self.client.force_login(self.user_with_perm)
        response = self.client.post(
            reverse(base + "recheck", args=[finding.pk]), {"result": "closed"}, format="json"
        )
        self.assertEqual(response.json()["state"], "closed")
        response = self.client.post(
            reverse(base + "urge", args=[finding.pk]), {"message": "x"}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("无需督办", response.content.decode())


# Rectifications, re-checks, urges, referrals ---------------------------------------------------
class FollowUpWorld(FindingsWorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        for side, unit, bureau, supervisor in (
            (w.a, cls.user_org_scoped, cls.user_with_perm, cls.user_view_only),
            (w.b, cls.unit_b, cls.bureau_b, cls.inspector_b),
        ):
            side.rectification = respond(user=unit, finding=side.finding, description="已整改完毕")
            side.recheck = recheck(
                user=bureau, finding=side.finding, result="reopened", note="未到位"
            )
            side.urge = urge(user=supervisor, finding=side.finding, message="请加快整改")
            side.referral = refer(user=supervisor, findings=[side.finding])


class RectificationData(FollowUpWorld):
    model = Rectification

    def in_scope_object(self):
        return self.world.a.rectification

    def out_of_scope_object(self):
        return self.world.b.rectification


class RecheckData(FollowUpWorld):
    model = Recheck

    def in_scope_object(self):
        return self.world.a.recheck

    def out_of_scope_object(self):
        return self.world.b.recheck


class UrgeData(FollowUpWorld):
    model = Urge

    def in_scope_object(self):
        return self.world.a.urge

    def out_of_scope_object(self):
        return self.world.b.urge


class ReferralData(FollowUpWorld):
    model = Referral

    def in_scope_object(self):
        return self.world.a.referral

    def out_of_scope_object(self):
        return self.world.b.referral


class TestRectificationViews(
    RectificationData, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase
):
    pass


class TestRectificationAPI(RectificationData, ReadOnlyAPI, APITestCases.APIViewTestCase):
    pass


class TestRecheckViews(
    RecheckData, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase
):
    pass


class TestRecheckAPI(RecheckData, ReadOnlyAPI, APITestCases.APIViewTestCase):
    pass


class TestUrgeViews(UrgeData, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase):
    pass


class TestUrgeAPI(UrgeData, ActionOnlyAPI, APITestCases.APIViewTestCase):
    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        return {"warning": side.warning.pk, "message": "预警整改逾期，请尽快处理"}

    def test_api_create_without_permission_is_forbidden(self):
        self.client.force_login(self.user_org_scoped)
        response = self.client.post(self.list_url(), self.create_data(), format="json")
        self.assertEqual(response.status_code, 403)


class TestReferralViews(
    ReferralData, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase
):
    def test_list_org_scoped_account(self):
        """A unit does not read what was referred about it."""
        self.client.force_login(self.user_org_scoped)
        content = self.client.get(reverse("inspections:referral_list")).content.decode()
        self.assertNotIn(f'href="{self.in_scope_object().get_absolute_url()}"', content)


class TestReferralAPI(ReferralData, ActionOnlyAPI, APITestCases.APIViewTestCase):
    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        from ..findings import create_finding

        side = self.world.a if in_scope else self.world.b
        finding = create_finding(
            user=self.user_with_perm if in_scope else self.bureau_b,
            organization=side.org,
            description="新的违规问题",
            rectification_kind="record",
        )
        return {"findings": [finding.pk], "recipient": "纪委监委"}

    def test_api_create_without_permission_is_forbidden(self):
        self.client.force_login(self.user_org_scoped)
        response = self.client.post(self.list_url(), self.create_data(), format="json")
        self.assertEqual(response.status_code, 403)

    def test_api_outcome(self):
        referral = self.world.a.referral
        url = reverse("api:inspections:referral-outcome", args=[referral.pk])
        self.client.force_login(self.user_view_only)
        response = self.client.post(
            url, {"outcome": "给予党内警告处分", "outcome_on": str(clock.today())}, format="json"
        )
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.assertEqual(response.json()["outcome"], "给予党内警告处分")
        self.client.force_login(self.user_org_scoped)
        self.assertEqual(self.client.post(url, {}, format="json").status_code, 404)
