"""The floor plan on the floor page: shown and uploaded through the archives' panel."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.urls import reverse

from ...accounts.roles import Role
from ...registry.models import Floor
from ...registry.tests.world import make_user
from ..models import Document, DocumentCategory
from .files import png_bytes, upload
from .world import ArchivesWorldMixin


class TestFloorPlanPanel(ArchivesWorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unit_b = make_user("unit_b", [Role.UNIT_ADMIN], scope_organization=cls.world.b.org)

    def upload_form(self, floor: Floor, name: str = "二层平面图.png") -> dict:
        return {
            "subject_type": ContentType.objects.get_for_model(floor).pk,
            "subject_id": floor.pk,
            "subject_fixed": "1",
            "category": DocumentCategory.objects.get(code="floor_plan").pk,
            "title": "",
            "file": upload(png_bytes("#3366cc"), name),
            "return_url": floor.get_absolute_url(),
        }

    def test_floor_page_shows_its_plan_and_the_upload_form(self):
        self.client.force_login(self.user_with_perm)
        floor, plan = self.world.a.floor, self.world.a.plan
        page = self.client.get(floor.get_absolute_url())
        self.assertContains(page, "档案资料")
        file_url = reverse("archives:document_file", args=[plan.pk])
        self.assertContains(page, f'<img src="{file_url}"')
        self.assertContains(page, "上传平面图或资料")
        category = DocumentCategory.objects.get(code="floor_plan")
        self.assertContains(page, f'<option value="{category.pk}" selected>')

    def test_upload_through_the_panel_then_the_floor_page_links_it(self):
        self.client.force_login(self.user_org_scoped)
        floor = self.world.a.floor
        response = self.client.post(reverse("archives:document_add"), self.upload_form(floor))
        self.assertRedirects(response, floor.get_absolute_url(), fetch_redirect_response=False)
        plan = Document.objects.get(original_name="二层平面图.png")
        self.assertEqual(plan.subject, floor)
        self.assertEqual(plan.category.code, "floor_plan")
        self.assertEqual(plan.title, "二层平面图")
        page = self.client.get(floor.get_absolute_url())
        self.assertContains(page, reverse("archives:document_file", args=[plan.pk]))
        opened = self.client.get(reverse("archives:document_file", args=[plan.pk]))
        self.assertEqual(opened.status_code, 200)
        self.assertEqual(opened["Content-Type"], "image/png")

    def test_another_organization_gets_404(self):
        self.client.force_login(self.unit_b)
        floor, plan = self.world.a.floor, self.world.a.plan
        self.assertEqual(self.client.get(floor.get_absolute_url()).status_code, 404)
        url = reverse("archives:document_file", args=[plan.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        response = self.client.post(reverse("archives:document_add"), self.upload_form(floor))
        self.assertEqual(response.status_code, 200)
        self.assertIn("subject_id", response.context["form"].errors)
        self.assertFalse(Document.objects.filter(original_name="二层平面图.png").exists())

    def test_view_only_account_sees_the_plan_but_no_upload(self):
        self.client.force_login(self.user_view_only)
        page = self.client.get(self.world.a.floor.get_absolute_url())
        self.assertContains(page, reverse("archives:document_file", args=[self.world.a.plan.pk]))
        self.assertNotContains(page, "上传平面图或资料")

    def test_panel_on_every_registry_page_and_building_lists_no_media_link(self):
        self.client.force_login(self.user_with_perm)
        a = self.world.a
        for obj in (a.compound, a.building, a.room, a.org, a.person, a.region):
            self.assertContains(
                self.client.get(obj.get_absolute_url()), "档案资料", msg_prefix=str(obj)
            )
        building = self.client.get(a.building.get_absolute_url())
        self.assertContains(building, a.report.title)
        self.assertNotContains(building, "/media/")

    def test_floor_form_has_no_file_field(self):
        self.client.force_login(self.user_with_perm)
        page = self.client.get(reverse("registry:floor_edit", args=[self.world.a.floor.pk]))
        self.assertNotIn("plan", page.context["form"].fields)

    def test_a_floor_with_papers_is_not_deleted(self):
        self.client.force_login(self.user_with_perm)
        floor = self.world.a.floor
        self.client.post(reverse("registry:floor_delete", args=[floor.pk]))
        self.assertTrue(Floor.objects.filter(pk=floor.pk).exists())
        self.assertTrue(Document.objects.filter(pk=self.world.a.plan.pk).exists())
