"""Who sees and who writes a document: the subject's scope (see archives.subjects)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse

from ...accounts.roles import Role
from ...registry.tests import factories as f
from ...registry.tests.world import make_user
from ..models import Document
from ..selectors import documents_for
from ..services import DocumentService, add_document
from ..subjects import can_see_subject, can_write_subject
from .files import png_bytes, upload
from .world import ArchivesWorldMixin


class ScopeWorld(ArchivesWorldMixin):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        # A room of side b's organization on side a's floor: b reads the floor, owns the room.
        cls.rented = f.RoomFactory(floor=w.a.floor, number="109", organization=w.b.org)
        cls.unit_b = make_user("unit_b", [Role.UNIT_ADMIN], scope_organization=w.b.org)
        cls.surveyor = make_user("surveyor_a", [Role.SURVEYOR], scope_region=w.a.region)
        cls.person_doc = add_document(
            user=cls.city_bureau,
            subject=w.a.person,
            category="other",
            file=upload(png_bytes(), "任职文件.png"),
        )
        cls.rented_doc = add_document(
            user=cls.city_bureau,
            subject=cls.rented,
            category="photo",
            file=upload(png_bytes("#225522"), "房间照片.png"),
        )


class TestReadScope(ScopeWorld, TestCase):
    def visible(self, user) -> set[int]:
        return set(Document.objects.restrict(user, "view").values_list("pk", flat=True))

    def test_bureau_sees_its_region_only(self):
        a, b = self.world.a, self.world.b
        seen = self.visible(self.user_with_perm)
        self.assertTrue({a.plan.pk, a.report.pk, self.person_doc.pk} <= seen)
        self.assertFalse({b.plan.pk, b.report.pk} & seen)
        self.assertTrue({b.plan.pk, b.report.pk} <= self.visible(self.city_bureau))

    def test_unit_sees_what_it_may_see_of_the_subjects(self):
        a, b = self.world.a, self.world.b
        self.assertEqual(
            self.visible(self.user_org_scoped),
            {a.plan.pk, a.report.pk, self.person_doc.pk, self.rented_doc.pk},
        )
        # b reads a's floor and building through the room it uses there (the registry's rule),
        # not a's people.
        self.assertEqual(
            self.visible(self.unit_b),
            {a.plan.pk, a.report.pk, self.rented_doc.pk, b.plan.pk, b.report.pk},
        )

    def test_no_right_on_the_subject_model_hides_its_documents(self):
        # A surveyor reads buildings and floors, not people.
        seen = self.visible(self.surveyor)
        self.assertIn(self.world.a.report.pk, seen)
        self.assertNotIn(self.person_doc.pk, seen)

    def test_no_business_role_sees_nothing(self):
        self.assertEqual(self.visible(self.user_no_role), set())

    def test_documents_for_a_subject(self):
        docs = documents_for(self.unit_b, self.world.a.floor)
        self.assertEqual([d.pk for d in docs], [self.world.a.plan.pk])
        self.assertEqual(list(documents_for(self.unit_b, self.world.a.person)), [])
        self.assertEqual(
            [d.pk for d in documents_for(self.user_org_scoped, self.world.a.person)],
            [self.person_doc.pk],
        )

    def test_scope_is_one_query(self):
        list(Document.objects.restrict(self.user_org_scoped, "view"))  # content types cached
        with self.assertNumQueries(1):
            list(Document.objects.restrict(self.user_org_scoped, "view"))


class TestWriteScope(ScopeWorld, TestCase):
    def test_owner_unit_files_papers_on_its_own_building(self):
        self.assertTrue(can_write_subject(self.user_org_scoped, self.world.a.building))

    def test_reader_may_not_file_on_what_it_only_reads(self):
        floor = self.world.a.floor
        self.assertTrue(can_see_subject(self.unit_b, floor))
        self.assertFalse(can_write_subject(self.unit_b, floor))
        with self.assertRaises(PermissionDenied):
            add_document(
                user=self.unit_b,
                subject=floor,
                category="photo",
                file=upload(png_bytes(), "x.png"),
            )
        self.assertTrue(can_write_subject(self.unit_b, self.rented))

    def test_surveyor_files_reports_without_registry_write_rights(self):
        building = self.world.a.building
        self.assertFalse(self.surveyor.has_model_perm(type(building), "change"))
        doc = add_document(
            user=self.surveyor,
            subject=building,
            category="survey",
            file=upload(png_bytes(), "测绘图.png"),
        )
        self.assertEqual(doc.uploaded_by, self.surveyor)
        self.assertFalse(can_write_subject(self.surveyor, self.world.b.building))
        # view + add only: no edit, no withdrawal
        self.assertFalse(Document.objects.restrict(self.surveyor, "change").exists())
        self.assertFalse(Document.objects.restrict(self.surveyor, "delete").exists())

    def test_view_only_account_may_not_upload(self):
        self.assertFalse(can_write_subject(self.user_view_only, self.world.a.building))

    def test_out_of_scope_subject_is_refused_without_saying_it_exists(self):
        with self.assertRaisesMessage(PermissionDenied, "不存在或超出您的管辖范围"):
            add_document(
                user=self.user_org_scoped,
                subject=self.world.b.building,
                category="photo",
                file=upload(png_bytes(), "x.png"),
            )

    def test_edit_of_a_document_follows_the_write_scope(self):
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            DocumentService().update(
                actor=self.unit_b, instance=self.world.a.plan, data={"title": "改名"}
            )
        DocumentService().update(
            actor=self.user_org_scoped, instance=self.world.a.plan, data={"title": "改名"}
        )
        self.world.a.plan.refresh_from_db()
        self.assertEqual(self.world.a.plan.title, "改名")

    def test_reader_gets_404_on_the_edit_page(self):
        self.client.force_login(self.unit_b)
        url = reverse("archives:document_edit", args=[self.world.a.plan.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("archives:document", args=[self.world.a.plan.pk])).status_code,
            200,
        )
