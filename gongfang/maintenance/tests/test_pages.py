"""The pages beyond the generic ones: a project's stage form, the plan's ranking, the funds
pages, the building's history panel and dossier section, and the stage actions of the API."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.messages import get_messages
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from ...framework import clock
from ...workflow.choices import CaseState
from ..choices import Stage
from ..models import MaintenanceProject
from ..selectors import dossier_section
from .world import MaintenanceWorldMixin, under_way


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class TestProjectStagePage(MaintenanceWorldMixin, TestCase):
    def stage(self, project, data):
        project.refresh_from_db()
        url = reverse("maintenance:project_stage", args=[project.pk])
        return self.client.post(url, {"version": project.version, **data})

    def test_a_major_project_without_its_scheme_is_refused_in_chinese(self):
        self.client.force_login(self.user_org_scoped)
        project = self.world.a.project
        response = self.stage(project, {"amount": "480000"})
        self.assertEqual(response.status_code, 302)
        self.assertIn(
            "申请立项：提交立项申请前须上传“维修方案及概算”1 份（档案类别：维修），现有 0 份。",
            messages_of(response),
        )
        project.refresh_from_db()
        self.assertIsNone(project.case_id)

    def test_the_unit_applies_for_a_minor_project_from_its_page(self):
        self.client.force_login(self.user_org_scoped)
        project = self.world.a.project
        MaintenanceProject.objects.filter(pk=project.pk).update(kind="minor")
        page = self.client.get(project.get_absolute_url())
        self.assertContains(page, "申请立项")
        response = self.stage(project, {"amount": "50000"})
        project.refresh_from_db()
        self.assertEqual(project.case.state, CaseState.SUBMITTED)
        self.assertEqual(Decimal(project.case.payload["amount"]), Decimal("50000"))
        self.assertTrue(any("已提交立项申请" in m for m in messages_of(response)))
        # Waiting for approval: no form, the case named.
        page = self.client.get(project.get_absolute_url())
        self.assertContains(page, "立项申请审批中")
        self.assertContains(page, project.case.number)

    def test_acceptance_before_100_percent_is_refused(self):
        self.client.force_login(self.user_with_perm)
        running = self.world.a.running
        response = self.stage(
            running, {"accepted_on": clock.today().isoformat(), "result": "passed"}
        )
        self.assertIn(
            "竣工验收：实施进度为 30%，须报告完成 100% 后才能验收。", messages_of(response)
        )
        running.refresh_from_db()
        self.assertEqual(running.stage, Stage.IN_PROGRESS)

    def test_the_page_flags_overdue_and_over_budget(self):
        self.client.force_login(self.user_view_only)
        running = under_way(
            self.world.a.running,
            planned_end_on=clock.today() - datetime.timedelta(days=3),
            paid_total=Decimal("500000"),
        )
        page = self.client.get(running.get_absolute_url())
        self.assertContains(page, "逾期：计划")
        self.assertContains(page, "已付金额 500,000.00 元超过批准金额 480,000.00 元")
        listing = self.client.get(
            reverse("maintenance:maintenanceproject_list"), {"overdue": "true"}
        )
        self.assertContains(listing, running.get_absolute_url())
        self.assertNotContains(listing, self.world.a.project.get_absolute_url())

    def test_out_of_scope_stage_post_is_404(self):
        self.client.force_login(self.user_with_perm)
        response = self.stage(self.world.b.project, {"amount": "1"})
        self.assertEqual(response.status_code, 404)


class TestPlanPage(MaintenanceWorldMixin, TestCase):
    def test_the_bureau_ranks_and_the_unit_may_not(self):
        plan, proposal = self.world.a.plan, self.world.a.proposal
        url = reverse("maintenance:plan_rank", args=[plan.pk])
        self.client.force_login(self.user_org_scoped)
        self.assertContains(self.client.get(plan.get_absolute_url()), "电梯更换")
        self.assertEqual(self.client.post(url, {f"rank_{proposal.pk}": "1"}).status_code, 404)
        self.client.force_login(self.user_with_perm)
        page = self.client.get(plan.get_absolute_url())
        self.assertContains(page, f'name="rank_{proposal.pk}"')
        self.assertContains(page, "房龄")
        response = self.client.post(url, {f"rank_{proposal.pk}": "1"})
        self.assertEqual(response.status_code, 302)
        proposal.refresh_from_db()
        self.assertEqual(proposal.rank, 1)
        response = self.client.post(url, {f"rank_{proposal.pk}": "一"})
        self.assertIn("排序须为整数（收到“一”）。", messages_of(response))


class TestFundsPages(MaintenanceWorldMixin, TestCase):
    def test_budget_execution_and_cost_comparison(self):
        self.client.force_login(self.user_view_only)
        year = self.world.a.budget.year
        page = self.client.get(reverse("maintenance:budget_comparison"), {"year": year})
        self.assertContains(page, "100,000.00")  # side a's payment, its maintenance budget
        self.assertContains(page, "20%")
        self.assertNotContains(page, str(self.world.b.org))
        page = self.client.get(reverse("maintenance:cost_comparison"), {"year": year})
        self.assertContains(page, str(self.world.a.compound))
        self.assertNotContains(page, str(self.world.b.compound))


class TestHistory(MaintenanceWorldMixin, TestCase):
    def test_the_building_page_shows_its_maintenance_history(self):
        self.client.force_login(self.user_org_scoped)
        page = self.client.get(self.world.a.building.get_absolute_url())
        self.assertContains(page, "维修记录")
        self.assertContains(page, self.world.a.running.get_absolute_url())
        self.assertContains(page, "申报维修项目")

    def test_dossier_section_lists_approved_projects(self):
        a = self.world.a
        MaintenanceProject.objects.filter(pk=a.running.pk).update(approved_on=clock.today())
        section = dossier_section(a.compound, clock.today())
        self.assertEqual(section.title, "维修记录")
        self.assertEqual([row[0] for row in section.rows], [a.running.title])
        self.assertEqual(section.rows[0][5], "450,000.00")
        self.assertIsNone(dossier_section(a.compound, clock.today() - datetime.timedelta(days=1)))


class TestStageAPI(MaintenanceWorldMixin, TestCase):
    client_class = APIClient

    def test_stage_actions(self):
        self.client.force_login(self.user_org_scoped)
        running = self.world.a.running
        url = reverse("api:maintenance:maintenanceproject-accept", args=[running.pk])
        response = self.client.post(
            url, {"accepted_on": clock.today().isoformat(), "result": "passed"}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("须报告完成 100%", response.content.decode())
        project = self.world.a.project
        MaintenanceProject.objects.filter(pk=project.pk).update(kind="minor")
        url = reverse("api:maintenance:maintenanceproject-submit", args=[project.pk])
        response = self.client.post(url, {}, format="json")
        self.assertEqual(response.status_code, 200, response.content.decode())
        self.assertIsNotNone(response.json()["case"])
        url = reverse("api:maintenance:maintenanceproject-evaluate", args=[running.pk])
        response = self.client.post(url, {"score": 90, "comment": "好"}, format="json")
        self.assertEqual(response.status_code, 403)
        url = reverse("api:maintenance:maintenanceproject-start", args=[self.world.b.project.pk])
        self.assertEqual(self.client.post(url, {}, format="json").status_code, 404)
