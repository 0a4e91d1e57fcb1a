"""Page and API tests of documents and categories from the generic mixins (framework.testing),
in the registry's two-sided world; a document's create is an upload (multipart)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...framework.testing import APITestCases, ViewTestCases
from ..models import Document, DocumentCategory
from ..services import add_document
from .files import pdf_bytes, png_bytes, upload
from .world import ArchivesWorldMixin


class DocumentCategoryData(ArchivesWorldMixin):
    model = DocumentCategory

    def in_scope_object(self):
        return DocumentCategory.objects.get(code="survey")

    def out_of_scope_object(self):
        self.skipTest("档案类别全市共用，没有管辖范围之外的类别")

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        if not in_scope:
            self.skipTest("档案类别全市共用，没有管辖范围之外的类别")
        return {"code": "fire", "name": "消防", "order": 200, "active": True}

    def update_data(self) -> dict[str, Any]:
        return {"name": "测绘成果"}

    def deletable_object(self):
        obj, _ = service_for(DocumentCategory).create(
            actor=self.user_with_perm, data={"code": "tmp", "name": "临时", "order": 300}
        )
        return obj


class TestDocumentCategoryViews(DocumentCategoryData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_used_category_cannot_be_deleted(self):
        self.client.force_login(self.user_with_perm)
        category = DocumentCategory.objects.get(code="floor_plan")
        url = reverse("archives:documentcategory_delete", args=[category.pk])
        self.client.post(url)
        self.assertTrue(DocumentCategory.objects.filter(pk=category.pk).exists())

    def test_unit_admin_may_only_read_categories(self):
        self.client.force_login(self.user_org_scoped)
        self.assertEqual(
            self.client.get(reverse("archives:documentcategory_list")).status_code, 200
        )
        self.assertEqual(self.client.get(reverse("archives:documentcategory_add")).status_code, 403)


class TestDocumentCategoryAPI(DocumentCategoryData, APITestCases.APIViewTestCase):
    pass


def _subject_fields(subject) -> dict[str, Any]:
    ct = ContentType.objects.get_for_model(subject)
    return {"subject_type": ct.pk, "subject_id": subject.pk}


class DocumentData(ArchivesWorldMixin):
    model = Document

    def in_scope_object(self):
        return self.world.a.report

    def out_of_scope_object(self):
        return self.world.b.report

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.world.a if in_scope else self.world.b
        category = DocumentCategory.objects.get(code="construction")
        return {
            **_subject_fields(side.building),
            "category": category.pk,
            "title": "竣工验收记录",
            "issued_on": "2025-06-01",
            "source": "建设单位",
            "file": upload(pdf_bytes(), "验收记录.pdf"),
        }

    def update_data(self) -> dict[str, Any]:
        return {"title": "房屋测绘报告（2025）"}

    def deletable_object(self):
        return add_document(
            user=self.user_with_perm,
            subject=self.world.a.room,
            category="photo",
            file=upload(png_bytes("#888888"), "现场照片.png"),
        )


class TestDocumentViews(DocumentData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_create_keeps_file_and_particulars(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.post(reverse("archives:document_add"), self.create_data())
        self.assertEqual(response.status_code, 302)
        document = Document.objects.get(title="竣工验收记录")
        self.assertEqual(document.subject, self.world.a.building)
        self.assertEqual(document.content_type, "application/pdf")
        self.assertEqual(document.original_name, "验收记录.pdf")
        self.assertEqual(document.uploaded_by, self.user_with_perm)
        self.assertEqual(document.region, self.world.a.region)
        self.assertIn("竣工验收记录", document.text)
        self.assertEqual(document.file.read(), pdf_bytes())

    def test_list_filters_by_category_and_subject_type(self):
        self.client.force_login(self.user_with_perm)
        plan = DocumentCategory.objects.get(code="floor_plan")
        ct = ContentType.objects.get_for_model(self.world.a.building)
        response = self.client.get(reverse("archives:document_list"), {"category": plan.pk})
        self.assertContains(response, self.world.a.plan.get_absolute_url())
        self.assertNotContains(response, self.world.a.report.get_absolute_url())
        response = self.client.get(reverse("archives:document_list"), {"subject_type": ct.pk})
        self.assertContains(response, self.world.a.report.get_absolute_url())
        self.assertNotContains(response, self.world.a.plan.get_absolute_url())

    def test_list_exports_the_filtered_rows(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.get(reverse("archives:document_list"), {"export": "csv"})
        self.assertEqual(response.status_code, 200)
        body = response.content.decode("utf-8-sig")
        self.assertIn("一层平面图", body)
        self.assertNotIn("市中区", body.split("\n", 1)[1])

    def test_edit_cannot_change_the_file_or_subject(self):
        self.client.force_login(self.user_with_perm)
        document = self.world.a.report
        form = self.client.get(reverse("archives:document_edit", args=[document.pk])).context[
            "form"
        ]
        self.assertEqual(set(form.fields), {"title", "category", "issued_on", "source", "version"})


class TestDocumentAPI(DocumentData, APITestCases.APIViewTestCase):
    """The generic API tests, with the create tests posting multipart (a file upload)."""

    def api_create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        data = self.create_data(in_scope=in_scope)
        side = self.world.a if in_scope else self.world.b
        data.update(
            subject_type="registry.building", subject_id=side.building.pk, category="construction"
        )
        return data

    def test_api_create_without_permission_is_forbidden(self):
        self.client.force_login(self.user_view_only)
        response = self.client.post(self.list_url(), self.api_create_data(), format="multipart")
        self.assertEqual(response.status_code, 403)

    def test_api_create_with_permission(self):
        self.client.force_login(self.user_with_perm)
        response = self.client.post(self.list_url(), self.api_create_data(), format="multipart")
        self.assertEqual(response.status_code, 201, response.content)
        created = Document.objects.get(pk=response.json()["id"])
        self.assertEqual(self.changes(created, ObjectChange.Action.CREATE).count(), 1)
        self.assertEqual(response.json()["subject_type"], "registry.building")
        self.assertNotIn("file", response.json())
        file_response = self.client.get(response.json()["file_url"])
        self.assertEqual(file_response.status_code, 200)
        self.assertEqual(b"".join(file_response.streaming_content), pdf_bytes())
        self.assertIn("attachment", file_response["Content-Disposition"])

    def test_api_create_out_of_scope_is_refused(self):
        self.client.force_login(self.user_with_perm)
        before = Document.objects.count()
        response = self.client.post(
            self.list_url(), self.api_create_data(in_scope=False), format="multipart"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("subject_id", response.json())
        self.assertEqual(Document.objects.count(), before)

    def test_api_upload_refuses_a_disguised_file(self):
        self.client.force_login(self.user_with_perm)
        data = self.api_create_data()
        data["file"] = upload(b"MZ\x90\x00" + b"\x00" * 200, "报告.pdf")
        response = self.client.post(self.list_url(), data, format="multipart")
        self.assertEqual(response.status_code, 400)
        self.assertIn("file", response.json())

    def test_api_file_out_of_scope_is_404(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("api:archives:document-file", args=[self.world.b.report.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
