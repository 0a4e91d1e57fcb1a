"""The one-click dossier: the PDF lists what the registry holds, the zip holds every paper by
category folder, the build runs through the task queue with progress, only for those who may."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from ...accounts.roles import Role
from ...compliance.models import State, Subject, Warning
from ...ledger.tests.helpers import run_worker
from ...registry.choices import RoomCategory
from ...registry.tests import factories as f
from ...registry.tests.world import make_user
from ...titles.models import Title
from ...workflow.choices import CaseKind, CaseState
from ...workflow.models import Case, CaseSubject
from ...workflow.tests.conftest import TWO_STEPS, make_definition
from .. import dossier
from ..models import Document
from ..services import add_document
from .files import pdf_bytes, upload
from .world import ArchivesWorldMixin

WARNING_SUMMARY = "办公室使用面积 31.50 m²，超过标准 18.00 m²"


def pdf_text(data: bytes) -> str:
    """The PDF's text with the spaces and line breaks pypdf puts between characters removed."""
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def stored(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def warning_on(room, rule: str, summary: str, state: str) -> Warning:
    return Warning.objects.create(
        rule=rule,
        key=f"{rule}:room:{room.pk}",
        subject=Subject.ROOM,
        region=room.organization.region,
        organization=room.organization,
        room=room,
        subject_label=str(room),
        summary=summary,
        state=state,
    )


class DossierWorldMixin(ArchivesWorldMixin):
    """Side a's compound grows a second building, rooms of two organizations and several
    categories, a title, an open and a resolved warning, a case, and papers with clashing names."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a = cls.world.a
        cls.annex = f.BuildingFactory(compound=a.compound, name="综合楼附楼")
        annex_floor = f.FloorFactory(building=cls.annex, number=1)
        f.RoomFactory(
            floor=annex_floor,
            number="A01",
            organization=a.sub_org,
            category=RoomCategory.SERVICE,
            subtype="会议室",
            usable_area=Decimal("42.25"),
            building_area=Decimal("50.00"),
        )
        cls.big_office = f.RoomFactory(
            floor=a.floor,
            number="105",
            organization=a.org,
            usable_area=Decimal("31.50"),
            building_area=Decimal("40.00"),
        )
        cls.title = Title.objects.create(
            building=a.building,
            region=a.region,
            kind="certificate",
            certificate_number="鲁（2024）滕州市不动产权第0012345号",
            holder=a.org,
            area=Decimal("2400.00"),
        )
        cls.open_warning = warning_on(cls.big_office, "R1", WARNING_SUMMARY, State.OPEN)
        warning_on(a.room, "R5", "已解决的闲置预警", State.RESOLVED)
        definition = make_definition(cls.world.city, TWO_STEPS)
        cls.case = Case.objects.create(
            kind=CaseKind.CHANGE_OF_USE,
            number="枣机管变〔2026〕7号",
            title="附楼档案室改会议室",
            definition=definition,
            applicant=a.org,
            region=a.region,
            created_by=cls.city_bureau,
            state=CaseState.SUBMITTED,
            submitted_at=timezone.now(),
        )
        CaseSubject.objects.create(case=cls.case, building=cls.annex, label=str(cls.annex))
        cls.unit_b = make_user("unit_b", [Role.UNIT_ADMIN], scope_organization=cls.world.b.org)
        # Two papers of the same name in one category folder; one on the title.
        for subject in (a.compound, cls.annex):
            add_document(
                user=cls.city_bureau,
                subject=subject,
                category="construction",
                file=upload(pdf_bytes(), "竣工验收.pdf", "application/pdf"),
            )
        add_document(
            user=cls.city_bureau,
            subject=cls.title,
            category="ownership",
            file=upload(pdf_bytes(), "../../etc/不动产权证.pdf", "application/pdf"),
        )


class DossierBuildTests(DossierWorldMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()

        def maintenance(subject, as_of):
            if subject._meta.model_name != "compound":
                return None
            return dossier.DossierSection("维修记录", ["项目", "年度"], [["屋面防水维修", 2025]])

        dossier.register_section(maintenance)
        try:
            cls.built = dossier.build(user=cls.city_bureau, subject=cls.world.a.compound)
        finally:
            dossier._providers.remove(maintenance)
        cls.pdf = stored(cls.built.pdf)
        cls.zip_bytes = stored(cls.built.zip)
        cls.text = pdf_text(cls.pdf)

    @property
    def zip(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(io.BytesIO(self.zip_bytes))

    def test_pdf_lists_buildings_areas_organizations(self):
        a = self.world.a
        for expected in (
            "一房一档",
            a.compound.name,
            "1号楼",
            "综合楼附楼",
            a.org.name,
            a.sub_org.name,
        ):
            self.assertIn(expected, self.text)
        # Room areas of the compound: 101's + 105's + A01's.
        rooms = a.room.usable_area + Decimal("31.50") + Decimal("42.25")
        self.assertIn(f"{rooms:,.2f}", self.text)
        self.assertIn("42.25", self.text)  # the service rooms' area, by category
        self.assertIn("服务用房", self.text)

    def test_pdf_lists_title_open_warnings_and_cases(self):
        self.assertIn("鲁（2024）滕州市不动产权第0012345号", self.text)
        self.assertIn(re.sub(r"\s+", "", WARNING_SUMMARY), self.text)
        self.assertNotIn("已解决的闲置预警", self.text)
        self.assertIn("枣机管变〔2026〕7号", self.text)
        self.assertIn("附楼档案室改会议室", self.text)

    def test_pdf_holds_sections_of_higher_apps(self):
        self.assertIn("维修记录", self.text)
        self.assertIn("屋面防水维修", self.text)

    def test_zip_has_category_folders_the_pdf_and_every_paper(self):
        names = sorted(self.zip.namelist())
        self.assertIn("平面图/一层平面图.png", names)
        self.assertIn("测绘/测绘报告.pdf", names)
        self.assertIn("建设/竣工验收.pdf", names)
        self.assertIn("建设/竣工验收 (2).pdf", names)
        self.assertIn("权属/不动产权证.pdf", names)
        [pdf_name] = [n for n in names if n.endswith(".pdf") and "/" not in n]
        self.assertTrue(pdf_name.startswith("一房一档-"))
        self.assertEqual(self.zip.read(pdf_name), self.pdf)
        self.assertEqual(len(names), 6)
        self.assertEqual(self.zip.read("测绘/测绘报告.pdf"), stored(self.world.a.report))
        for name in names:
            self.assertFalse(name.startswith(("/", ".")) or ".." in name, name)

    def test_zip_holds_only_this_compound(self):
        # Side b has papers of the same names on its floor and building: none came along.
        names = self.zip.namelist()
        self.assertNotIn("平面图/一层平面图 (2).png", names)
        self.assertNotIn("测绘/测绘报告 (2).pdf", names)
        self.assertEqual(self.built.papers, 5)

    def test_pdf_index_names_the_papers(self):
        self.assertIn("资料包中的文件", self.text)
        self.assertIn("建设/竣工验收(2).pdf", self.text)

    def test_kept_as_documents_of_the_compound(self):
        for document, content_type in (
            (self.built.pdf, "application/pdf"),
            (self.built.zip, "application/zip"),
        ):
            self.assertEqual(document.subject, self.world.a.compound)
            self.assertEqual(document.category.code, "dossier")
            self.assertEqual(document.content_type, content_type)
            self.assertTrue(document.is_current)

    def test_a_second_build_supersedes_the_first(self):
        again = dossier.build(user=self.city_bureau, subject=self.world.a.compound)
        self.assertEqual(again.pdf.supersedes_id, self.built.pdf.pk)
        self.assertEqual(again.zip.supersedes_id, self.built.zip.pk)
        self.assertEqual(again.pdf.revision, 2)
        # Earlier dossiers never go into the zip.
        self.assertFalse(
            [
                n
                for n in zipfile.ZipFile(io.BytesIO(stored(again.zip))).namelist()
                if n.startswith("一房一档/")
            ]
        )

    def test_a_tenant_unit_does_not_read_its_landlords_dossier(self):
        """The dossier holds every occupant's rooms and cases: the unit that only rents in the
        compound reads its other papers, not the dossier; the owner and the region read it."""
        a = self.world.a
        tenant = make_user("tenant_a", [Role.UNIT_ADMIN], scope_organization=a.sub_org)
        dossiers = {self.built.pdf.pk, self.built.zip.pk}
        compound_papers = set(
            Document.objects.of(a.compound).exclude(pk__in=dossiers).values_list("pk", flat=True)
        )
        self.assertTrue(compound_papers)
        seen = set(
            Document.objects.restrict(tenant, "view").of(a.compound).values_list("pk", flat=True)
        )
        self.assertEqual(seen, compound_papers)
        self.client.force_login(tenant)
        response = self.client.get(reverse("archives:document_file", args=[self.built.pdf.pk]))
        self.assertEqual(response.status_code, 404)
        for reader in (self.user_org_scoped, self.user_view_only, self.user_with_perm):
            with self.subTest(reader=reader.username):
                seen = Document.objects.restrict(reader, "view").of(a.compound)
                self.assertTrue(dossiers <= set(seen.values_list("pk", flat=True)))

    def test_building_dossier(self):
        built = dossier.build(user=self.city_bureau, subject=self.annex)
        text = pdf_text(stored(built.pdf))
        self.assertIn("综合楼附楼", text)
        self.assertIn("枣机管变〔2026〕7号", text)
        self.assertNotIn(re.sub(r"\s+", "", WARNING_SUMMARY), text)  # 1号楼's room
        names = zipfile.ZipFile(io.BytesIO(stored(built.zip))).namelist()
        self.assertIn("建设/竣工验收.pdf", names)
        self.assertNotIn("测绘/测绘报告.pdf", names)

    def test_missing_file_is_listed_not_fatal(self):
        lost = add_document(
            user=self.city_bureau,
            subject=self.annex,
            category="photo",
            file=upload(pdf_bytes(), "现场照片.pdf", "application/pdf"),
        )
        lost.file.storage.delete(lost.file.name)
        built = dossier.build(user=self.city_bureau, subject=self.world.a.compound)
        self.assertEqual((built.papers, built.missing), (6, 1))
        self.assertIn("文件缺失", pdf_text(stored(built.pdf)))
        names = zipfile.ZipFile(io.BytesIO(stored(built.zip))).namelist()
        self.assertFalse([n for n in names if n.startswith("照片/")])
        self.assertIn("测绘/测绘报告.pdf", names)


class DossierAccessTests(DossierWorldMixin, TestCase):
    def test_only_who_may_file_papers_may_build(self):
        a = self.world.a
        self.assertTrue(dossier.can_build(self.user_with_perm, a.compound))
        self.assertTrue(dossier.can_build(self.user_org_scoped, a.compound))
        self.assertFalse(dossier.can_build(self.user_view_only, a.compound))
        self.assertFalse(dossier.can_build(self.unit_b, a.compound))
        self.assertFalse(dossier.can_build(self.user_with_perm, a.room))
        with self.assertRaises(PermissionDenied):
            dossier.build(user=self.unit_b, subject=a.compound)
        with self.assertRaises(PermissionDenied):
            dossier.build(user=self.user_view_only, subject=a.building)

    def test_button_on_compound_and_building_pages_only_for_who_may(self):
        a = self.world.a
        self.client.force_login(self.user_with_perm)
        url = f"/archives/dossier/compound/{a.compound.pk}/"
        self.assertContains(self.client.get(a.compound.get_absolute_url()), url)
        self.assertContains(
            self.client.get(a.building.get_absolute_url()),
            f"/archives/dossier/building/{a.building.pk}/",
        )
        self.assertContains(self.client.get(url), "生成一房一档</button>")
        self.client.force_login(self.user_view_only)
        self.assertNotContains(self.client.get(a.compound.get_absolute_url()), url)
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "生成一房一档</button>")
        self.assertEqual(self.client.post(url).status_code, 403)

    def test_out_of_scope_pages_answer_404(self):
        self.client.force_login(self.unit_b)
        a = self.world.a
        self.assertEqual(
            self.client.get(f"/archives/dossier/compound/{a.compound.pk}/").status_code, 404
        )
        self.assertEqual(
            self.client.post(f"/archives/dossier/compound/{a.compound.pk}/").status_code, 404
        )
        self.assertEqual(self.client.get(f"/archives/dossier/room/{a.room.pk}/").status_code, 404)

    def test_built_through_the_queue_with_progress(self):
        a = self.world.a
        self.client.force_login(self.user_with_perm)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/archives/dossier/compound/{a.compound.pk}/")
        self.assertEqual(response.status_code, 302)
        job_url = response["Location"]
        token = job_url.rstrip("/").rsplit("/", 1)[-1]
        page = self.client.get(job_url)
        self.assertContains(page, "排队等待后台处理")
        self.assertContains(page, f"/archives/dossier/jobs/{token}/progress/")
        self.assertFalse(Document.objects.filter(category__code="dossier").exists())
        run_worker()
        fragment = self.client.get(f"/archives/dossier/jobs/{token}/progress/")
        self.assertContains(fragment, "一房一档已生成")
        self.assertNotContains(fragment, "hx-trigger")
        pdf = Document.objects.get(category__code="dossier", content_type="application/pdf")
        self.assertContains(fragment, f"/archives/documents/{pdf.pk}/file/")
        self.assertIn(a.compound.name, pdf_text(stored(pdf)))
        # The file opens through the scoped view for who may see the compound, not for others.
        self.assertEqual(self.client.get(f"/archives/documents/{pdf.pk}/file/").status_code, 200)
        self.client.force_login(self.unit_b)
        self.assertEqual(self.client.get(f"/archives/documents/{pdf.pk}/file/").status_code, 404)
        # Another account never sees someone else's job.
        self.assertEqual(self.client.get(job_url).status_code, 404)

    def test_failure_is_reported_in_chinese(self):
        a = self.world.a
        self.client.force_login(self.user_org_scoped)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"/archives/dossier/compound/{a.compound.pk}/")
        token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
        # The unit loses the compound before the worker runs.
        a.compound.owner_org = self.world.b.org
        a.compound.save()
        run_worker()
        fragment = self.client.get(f"/archives/dossier/jobs/{token}/progress/")
        self.assertContains(fragment, "生成失败")
        self.assertFalse(Document.objects.filter(category__code="dossier").exists())

    def test_unknown_job_tokens(self):
        self.client.force_login(self.user_with_perm)
        for token in ("x", "a" * 24, "../../etc/passwd"):
            self.assertEqual(self.client.get(f"/archives/dossier/jobs/{token}/").status_code, 404)


@given(st.text(max_size=300))
def test_safe_name_is_one_harmless_component(name: str) -> None:
    safe = dossier.safe_name(name)
    assert safe and len(safe) <= 150
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert not re.search(r"[\x00-\x1f\x7f:*?\"<>|]", safe)


def test_unique_names_ignore_case() -> None:
    taken: set[str] = set()
    assert [dossier._unique(n, taken) for n in ("a.pdf", "A.PDF", "a.pdf", "b")] == [
        "a.pdf",
        "A (2).PDF",
        "a (3).pdf",
        "b",
    ]
