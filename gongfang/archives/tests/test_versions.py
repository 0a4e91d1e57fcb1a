"""Versions of a paper: a new file supersedes the old one, both kept; withdrawal of the newest."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from ...framework.services import service_for
from ..models import Document, private_storage
from ..services import add_document
from .files import jpeg_bytes, pdf_bytes, png_bytes, upload
from .world import ArchivesWorldMixin


class TestVersions(ArchivesWorldMixin, TestCase):
    def supersede(self, old: Document, data: bytes, name: str = "新版.png") -> Document:
        return add_document(
            user=self.user_with_perm,
            subject=old.subject,
            category=old.category.code,
            file=upload(data, name),
            supersedes=old,
        )

    def test_supersede_keeps_both_and_moves_current(self):
        v1 = self.world.a.plan
        v2 = self.supersede(v1, jpeg_bytes(), "二版.jpg")
        v3 = self.supersede(v2, png_bytes("#000000"), "三版.png")
        v1.refresh_from_db()
        v2.refresh_from_db()
        self.assertEqual([v1.revision, v2.revision, v3.revision], [1, 2, 3])
        self.assertEqual([v1.is_current, v2.is_current, v3.is_current], [False, False, True])
        self.assertEqual((v2.first_id, v3.first_id), (v1.pk, v1.pk))
        self.assertEqual(v3.supersedes, v2)
        self.assertEqual(v3.title, v1.title)
        # Every file is kept.
        for version in (v1, v2, v3):
            self.assertTrue(private_storage.exists(version.file.name))
        self.assertEqual(len({v1.file.name, v2.file.name, v3.file.name}), 3)

    def test_only_the_current_version_may_be_superseded(self):
        v1 = self.world.a.plan
        self.supersede(v1, jpeg_bytes())
        v1.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "已有更新的版本"):
            self.supersede(v1, png_bytes())

    def test_a_version_belongs_to_the_same_subject(self):
        with self.assertRaisesMessage(ValidationError, "不属于该对象"):
            add_document(
                user=self.user_with_perm,
                subject=self.world.a.building,
                category="floor_plan",
                file=upload(png_bytes(), "x.png"),
                supersedes=self.world.a.plan,
            )

    def test_withdraw_makes_the_predecessor_current_and_removes_the_file(self):
        v1 = self.world.a.plan
        v2 = self.supersede(v1, jpeg_bytes())
        name = v2.file.name
        with self.captureOnCommitCallbacks(execute=True):
            service_for(Document).delete(actor=self.user_with_perm, instance=v2)
        v1.refresh_from_db()
        self.assertTrue(v1.is_current)
        self.assertFalse(private_storage.exists(name))
        self.assertTrue(private_storage.exists(v1.file.name))

    def test_history_is_kept_an_old_version_cannot_be_withdrawn(self):
        v1 = self.world.a.plan
        self.supersede(v1, jpeg_bytes())
        v1.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "只能撤回现行版本"):
            service_for(Document).delete(actor=self.user_with_perm, instance=v1)

    def test_new_version_through_the_document_page(self):
        self.client.force_login(self.user_with_perm)
        v1 = self.world.a.report
        page = self.client.get(reverse("archives:document", args=[v1.pk]))
        self.assertContains(page, "上传新版本")
        response = self.client.post(
            reverse("archives:document_add"),
            {
                "subject_type": ContentType.objects.get_for_model(self.world.a.building).pk,
                "subject_id": self.world.a.building.pk,
                "subject_fixed": "1",
                "supersedes": v1.pk,
                "category": v1.category_id,
                "title": "测绘报告（修订）",
                "file": upload(pdf_bytes(), "测绘报告-修订.pdf"),
                "return_url": reverse("archives:document", args=[v1.pk]),
            },
        )
        self.assertEqual(response.status_code, 302)
        v2 = Document.objects.get(supersedes=v1)
        self.assertEqual(v2.revision, 2)
        history = self.client.get(reverse("archives:document", args=[v2.pk]))
        self.assertContains(history, "版本历史")
        self.assertContains(history, "测绘报告-修订.pdf")
        self.assertContains(history, "测绘报告.pdf")
        self.assertContains(history, "共 2 版")
        # The old version's page offers no new upload (only the current one is superseded).
        self.assertNotContains(self.client.get(v1.get_absolute_url()), "上传新版本")

    def test_search_finds_the_current_version_only(self):
        from .. import search

        v1 = self.world.a.report
        v2 = self.supersede(v1, pdf_bytes(), "新.pdf")
        hits = search.search(self.user_with_perm, "竣工验收")
        ids = {hit.document.pk for hit in hits}
        self.assertIn(v2.pk, ids)
        self.assertNotIn(v1.pk, ids)
