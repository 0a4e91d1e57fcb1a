"""Page and API tests of the inspections models from the generic mixins (framework.testing),
with the scope of the registry's two-sided world; national checklists have no scope to leave,
and models written only by their steps answer 405 to the generic writes."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...framework.testing import APITestCases, ViewTestCases
from ...framework.testing.base import post_data
from .. import services
from ..models import (
    AssessmentDate,
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionPlan,
    ItemCheck,
    Measurement,
    Tip,
)
from .world import START, InspectionsWorldMixin, make_plan


# Accounts that see nothing of a model owned by no organization --------------------------------------
class RegionOnly:
    """Tips, referrals and assessment dates are the bureau's and the supervisors': a unit's
    account reads none of them (the generic org-scoped test is replaced by that)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unit_account = cls.user_org_scoped
        cls.user_org_scoped = None

    def test_unit_account_sees_none(self):
        self.client.force_login(self.unit_account)
        meta = self.model._meta
        content = self.client.get(reverse(f"inspections:{meta.model_name}_list")).content.decode()
        self.assertNotIn(f'href="{self.in_scope_object().get_absolute_url()}"', content)
        response = self.client.get(self.in_scope_object().get_absolute_url())
        self.assertEqual(response.status_code, 404)


class National:
    """National data (scope None): every account with the view permission reads every row; the
    out-of-scope tests become "a unit's or a supervisor's account cannot write"."""

    def out_of_scope_object(self):
        raise AssertionError("national data has no out-of-scope row")

    def test_list_shows_only_scope(self):
        self.client.force_login(self.user_org_scoped)
        content = self.client.get(reverse(f"inspections:{self.model._meta.model_name}_list"))
        self.assertContains(content, f'href="{self.in_scope_object().get_absolute_url()}"')

    test_list_org_scoped_account = test_list_shows_only_scope

    def test_detail_out_of_scope_is_404(self):
        self.client.force_login(self.user_org_scoped)
        self.assertEqual(
            self.client.get(self.in_scope_object().get_absolute_url()).status_code, 200
        )

    def test_create_out_of_scope_is_refused(self):
        self.client.force_login(self.user_org_scoped)
        before = self.model.objects.count()
        url = reverse(f"inspections:{self.model._meta.model_name}_add")
        self.assertEqual(self.client.post(url, self.create_data()).status_code, 403)
        self.assertEqual(self.model.objects.count(), before)

    def test_edit_out_of_scope_is_404(self):
        self.client.force_login(self.user_org_scoped)
        obj = self.in_scope_object()
        url = reverse(f"inspections:{self.model._meta.model_name}_edit", args=[obj.pk])
        self.assertEqual(self.client.post(url, post_data(obj, self.update_data())).status_code, 403)

    def test_delete_out_of_scope_is_404(self):
        self.client.force_login(self.user_org_scoped)
        obj = self.in_scope_object()
        url = reverse(f"inspections:{self.model._meta.model_name}_delete", args=[obj.pk])
        self.assertEqual(self.client.post(url).status_code, 403)
        self.assertTrue(self.model.objects.filter(pk=obj.pk).exists())


class NationalAPI(National):
    def test_api_list_shows_only_scope(self):
        self.client.force_login(self.user_org_scoped)
        response = self.client.get(self.list_url(), {"limit": 1000})
        self.assertIn(self.in_scope_object().pk, self.result_ids(response))

    def test_api_retrieve_out_of_scope_is_404(self):
        self.client.force_login(self.user_org_scoped)
        self.assertEqual(self.client.get(self.detail_url(self.in_scope_object())).status_code, 200)

    def test_api_create_out_of_scope_is_refused(self):
        self.client.force_login(self.user_org_scoped)
        response = self.client.post(self.list_url(), self.create_data(), format="json")
        self.assertEqual(response.status_code, 403)

    def test_api_update_out_of_scope_is_404(self):
        self.client.force_login(self.user_org_scoped)
        obj = self.in_scope_object()
        response = self.client.patch(self.detail_url(obj), self.update_data(), format="json")
        self.assertEqual(response.status_code, 403)

    def test_api_delete_out_of_scope_is_404(self):
        self.client.force_login(self.user_org_scoped)
        obj = self.in_scope_object()
        self.assertEqual(self.client.delete(self.detail_url(obj)).status_code, 403)


class StepsOnlyAPI:
    """Models written only by their steps: the generic API writes do not exist (405)."""

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {"note": "x"}

    def update_data(self) -> dict[str, Any]:
        return {"note": "改"}

    def deletable_object(self):
        return self.in_scope_object()

    def test_api_create_with_permission(self):
        self.client.force_login(self.user_with_perm)
        before = self.model.objects.count()
        response = self.client.post(self.list_url(), self.create_data(), format="json")
        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.model.objects.count(), before)

    test_api_create_out_of_scope_is_refused = test_api_create_with_permission
    test_api_create_without_permission_is_forbidden = test_api_create_with_permission

    def test_api_update_with_permission(self):
        self.client.force_login(self.user_with_perm)
        obj = self.in_scope_object()
        before = self.changes(obj).count()
        response = self.client.patch(self.detail_url(obj), self.update_data(), format="json")
        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.changes(obj).count(), before)

    test_api_update_out_of_scope_is_404 = test_api_update_with_permission
    test_api_update_without_permission_is_forbidden = test_api_update_with_permission

    def test_api_delete_with_permission(self):
        self.client.force_login(self.user_with_perm)
        obj = self.in_scope_object()
        self.assertEqual(self.client.delete(self.detail_url(obj)).status_code, 405)
        self.assertTrue(self.model.objects.filter(pk=obj.pk).exists())

    test_api_delete_out_of_scope_is_404 = test_api_delete_with_permission
    test_api_delete_without_permission_is_forbidden = test_api_delete_with_permission


# Checklists -------------------------------------------------------------------------------------
class ChecklistData(National, InspectionsWorldMixin):
    model = Checklist

    def in_scope_object(self):
        return self.checklist

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {"revision": 2, "effective_from": "2026-01-01", "source": "2026年修订"}

    def update_data(self) -> dict[str, Any]:
        return {"source": "《党政机关办公用房管理办法》（修订说明）"}

    def deletable_object(self):
        obj, _ = service_for(Checklist).create(
            actor=self.user_with_perm,
            data={"revision": 9, "effective_from": datetime.date(2026, 5, 1), "source": "试行"},
        )
        return obj


class TestChecklistViews(ChecklistData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_page_lists_both_levels_with_rules(self):
        self.client.force_login(self.user_view_only)
        response = self.client.get(self.checklist.get_absolute_url())
        self.assertContains(response, "党政机关（七个方面）")
        self.assertContains(response, "领导干部（四个方面）")
        self.assertContains(response, "机构撤并后未在规定时间内腾退原办公用房")
        self.assertContains(response, "?rule=R7")

    def test_new_revision_copies_the_items(self):
        self.client.force_login(self.user_with_perm)
        self.client.post(reverse("inspections:checklist_add"), self.create_data())
        revised = Checklist.objects.get(revision=2)
        self.assertEqual(
            list(revised.items.values_list("target", "aspect", "title", "rules")),
            list(self.checklist.items.values_list("target", "aspect", "title", "rules")),
        )


class TestChecklistAPI(NationalAPI, ChecklistData, APITestCases.APIViewTestCase):
    pass


class ChecklistItemData(National, InspectionsWorldMixin):
    model = ChecklistItem

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.revision, _ = service_for(Checklist).create(
            actor=cls.user_with_perm,
            data={"revision": 2, "effective_from": datetime.date(2026, 6, 1), "source": "修订"},
        )

    def in_scope_object(self):
        return self.revision.items.get(target="leader", aspect=4)

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {
            "checklist": self.revision.pk,
            "target": "organization",
            "aspect": 8,
            "title": "公务用房出租收入未按规定上缴",
            "rules": "R8",
        }

    def update_data(self) -> dict[str, Any]:
        return {"title": "工作调动或兼职结束后未腾退办公用房"}

    def deletable_object(self):
        return self.revision.items.get(target="organization", aspect=6)


class TestChecklistItemViews(ChecklistItemData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_items_of_a_revision_in_use_are_frozen(self):
        self.client.force_login(self.user_with_perm)
        item = self.checklist.items.get(target="leader", aspect=1)
        response = self.client.post(
            reverse("inspections:checklistitem_edit", args=[item.pk]),
            post_data(item, {"title": "改"}),
        )
        self.assertContains(response, "已被督查计划使用")
        item.refresh_from_db()
        self.assertEqual(item.title, "超规定面积标准配备和使用办公用房")

    def test_unknown_rule_is_refused_by_name(self):
        self.client.force_login(self.user_with_perm)
        data = {**self.create_data(), "rules": "R1、R12"}
        response = self.client.post(reverse("inspections:checklistitem_add"), data)
        self.assertContains(response, "未知的规则编号：R12")


class TestChecklistItemAPI(NationalAPI, ChecklistItemData, APITestCases.APIViewTestCase):
    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {**super().create_data(), "rules": ["R8"]}


# Assessment dates ----------------------------------------------------------------------------------
class AssessmentDateData(RegionOnly, InspectionsWorldMixin):
    model = AssessmentDate

    def in_scope_object(self):
        return self.world.a.assessment

    def out_of_scope_object(self):
        return self.world.b.assessment

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        return {"region": side.region.pk, "year": 2026, "assessed_on": "2026-12-20"}

    def update_data(self) -> dict[str, Any]:
        return {"assessed_on": "2025-12-25"}


class TestAssessmentDateViews(AssessmentDateData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestAssessmentDateAPI(AssessmentDateData, APITestCases.APIViewTestCase):
    pass


# Plans --------------------------------------------------------------------------------------------------
class InspectionPlanData(InspectionsWorldMixin):
    model = InspectionPlan

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Plans not started yet (the world's have started: their own updates are logged).
        for side in (cls.world.a, cls.world.b):
            bureau = cls.user_with_perm if side is cls.world.a else cls.bureau_b
            side.next_plan = make_plan(bureau, side, title="整改回头看", kind="followup")
            services.generate_inspections(actor=bureau, plan=side.next_plan)

    def in_scope_object(self):
        return self.world.a.next_plan

    def out_of_scope_object(self):
        return self.world.b.next_plan

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        return {
            "kind": "key",
            "year": 2026,
            "title": "教育系统重点检查",
            "region": side.region.pk,
            "all_organizations": True,
            "checklist": self.checklist.pk,
            "start_on": "2026-04-01",
            "end_on": "2026-04-30",
        }

    def update_data(self) -> dict[str, Any]:
        return {"title": "办公用房专项检查（第二批）"}

    def deletable_object(self):
        return make_plan(self.user_with_perm, self.world.a, title="待删除的计划")


class TestInspectionPlanViews(InspectionPlanData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_edit_with_permission_logs_before_and_after(self):
        self.client.force_login(self.user_with_perm)
        obj = self.in_scope_object()
        data = post_data(obj, self.update_data())
        data["organizations"] = [self.world.a.org.pk]
        data["team"] = [self.user_view_only.pk]
        response = self.client.post(reverse("inspections:inspectionplan_edit", args=[obj.pk]), data)
        self.assertEqual(
            response.status_code, 302, response.context and response.context["form"].errors
        )
        obj.refresh_from_db()
        self.assertEqual(obj.title, self.update_data()["title"])
        change = self.changes(obj, ObjectChange.Action.UPDATE).get()
        self.assertEqual(change.postchange_data["title"], obj.title)
        self.assertEqual(list(obj.team.all()), [self.user_view_only])

    def test_team_member_must_be_bureau_or_supervisor(self):
        self.client.force_login(self.user_with_perm)
        data = {**self.create_data(), "team": [self.user_org_scoped.pk]}
        before = InspectionPlan.objects.count()
        response = self.client.post(reverse("inspections:inspectionplan_add"), data)
        # A unit's account is not even offered.
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["team"])
        self.assertEqual(InspectionPlan.objects.count(), before)

    def test_plan_page_shows_its_inspections_and_team(self):
        self.client.force_login(self.user_view_only)
        response = self.client.get(self.world.a.plan.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.world.a.inspection.get_absolute_url())
        self.assertContains(response, "检查中")
        self.assertContains(response, "supervisor_a")
        generate = reverse("inspections:inspectionplan_generate", args=[self.world.a.plan.pk])
        self.assertNotContains(response, generate)
        self.client.force_login(self.user_with_perm)
        self.assertContains(self.client.get(self.world.a.plan.get_absolute_url()), generate)


class TestInspectionPlanAPI(InspectionPlanData, APITestCases.APIViewTestCase):
    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        return {
            **super().create_data(in_scope=in_scope),
            "all_organizations": False,
            "organizations": [side.org.pk],
        }

    def test_generate_through_the_api(self):
        self.client.force_login(self.user_with_perm)
        plan = make_plan(self.user_with_perm, self.world.a, title="接口生成")
        url = reverse("api:inspections:inspectionplan-generate", args=[plan.pk])
        response = self.client.post(url)
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["count"], 1)
        self.assertEqual(
            [row["organization"] for row in body["inspections"]], [self.world.a.org.pk]
        )
        self.client.force_login(self.user_view_only)
        self.assertEqual(self.client.post(url).status_code, 403)


# Inspections, item checks, measurements ---------------------------------------------------------
class InspectionData(InspectionsWorldMixin):
    model = Inspection

    def in_scope_object(self):
        return self.world.a.inspection

    def out_of_scope_object(self):
        return self.world.b.inspection


class TestInspectionViews(
    InspectionData, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase
):
    pass


class TestInspectionAPI(StepsOnlyAPI, InspectionData, APITestCases.APIViewTestCase):
    def update_data(self) -> dict[str, Any]:
        return {"summary": "改"}


class ItemCheckData(InspectionsWorldMixin):
    model = ItemCheck

    def in_scope_object(self):
        return self.world.a.item_check

    def out_of_scope_object(self):
        return self.world.b.item_check


class TestItemCheckViews(
    ItemCheckData, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase
):
    pass


class TestItemCheckAPI(StepsOnlyAPI, ItemCheckData, APITestCases.APIViewTestCase):
    pass


class MeasurementData(InspectionsWorldMixin):
    model = Measurement

    def in_scope_object(self):
        return self.world.a.measurement

    def out_of_scope_object(self):
        return self.world.b.measurement


class TestMeasurementViews(
    MeasurementData, ViewTestCases.ListViewTestCase, ViewTestCases.DetailViewTestCase
):
    pass


class TestMeasurementAPI(StepsOnlyAPI, MeasurementData, APITestCases.APIViewTestCase):
    pass


# Tips ------------------------------------------------------------------------------------------------------
class TipData(RegionOnly, InspectionsWorldMixin):
    model = Tip

    def in_scope_object(self):
        return self.world.a.tip

    def out_of_scope_object(self):
        return self.world.b.tip

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        return {
            "source": "media",
            "received_on": START.isoformat(),
            "content": "媒体报道某局领导占用多间办公室",
            "organization": side.org.pk,
        }

    def update_data(self) -> dict[str, Any]:
        return {"content": "媒体报道某局领导占用两间办公室"}

    def deletable_object(self):
        data = {**self.create_data(), "organization": self.world.a.org, "received_on": START}
        return service_for(Tip).create(actor=self.user_with_perm, data=data)[0]


class TestTipViews(TipData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_subject_room_is_recorded(self):
        self.client.force_login(self.user_with_perm)
        data = {**self.create_data(), "subject_room": self.world.a.room.pk}
        self.client.post(reverse("inspections:tip_add"), data)
        tip = Tip.objects.get(content=data["content"])
        self.assertEqual(tip.subject_label, str(self.world.a.room))
        self.assertEqual(tip.region, self.world.a.region)


class TestTipAPI(TipData, APITestCases.APIViewTestCase):
    def test_subject_reads_as_kind_and_id(self):
        self.client.force_login(self.user_with_perm)
        data = {**self.create_data(), "subject_room": self.world.a.room.pk}
        self.client.post(reverse("inspections:tip_add"), data)
        tip = Tip.objects.get(content=data["content"])
        body = self.client.get(self.detail_url(tip)).json()
        self.assertEqual((body["subject_kind"], body["subject_id"]), ("room", self.world.a.room.pk))
        self.assertNotIn("subject_type", body)
        listed = self.client.get(self.list_url(), {"limit": 1000})
        self.assertEqual(listed.status_code, 200)
