"""The scoped file view and the upload limits: what reaches a browser, and what is refused."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import get_resolver, reverse

from ..models import Document, private_storage
from ..services import add_document, clean_original_name, sniff_type
from .files import jpeg_bytes, pdf_bytes, png_bytes, upload
from .world import ArchivesWorldMixin


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


class TestFileView(ArchivesWorldMixin, TestCase):
    def test_in_scope_pdf_opens_inline_with_its_name_and_type(self):
        self.client.force_login(self.user_with_perm)
        report = self.world.a.report
        response = self.client.get(reverse("archives:document_file", args=[report.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(
            response["Content-Disposition"], f"inline; filename*=utf-8''{quote('测绘报告.pdf')}"
        )
        self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(_body(response), pdf_bytes())

    def test_download_parameter_and_other_types_are_attachments(self):
        self.client.force_login(self.user_with_perm)
        url = reverse("archives:document_file", args=[self.world.a.report.pk])
        self.assertTrue(
            self.client.get(url, {"download": "1"})["Content-Disposition"].startswith("attachment")
        )
        text = add_document(
            user=self.user_with_perm,
            subject=self.world.a.building,
            category="other",
            file=upload("说明：本楼 1998 年竣工。".encode(), "readme.html"),
        )
        response = self.client.get(reverse("archives:document_file", args=[text.pk]))
        self.assertEqual(response["Content-Type"], "text/plain")
        self.assertTrue(response["Content-Disposition"].startswith("attachment"))

    def test_out_of_scope_unknown_and_forged_ids_are_404(self):
        self.client.force_login(self.user_org_scoped)
        out = self.world.b.report
        for pk in (out.pk, 987654321, 2**63 - 1, 2**64):
            response = self.client.get(f"/archives/documents/{pk}/file/")
            self.assertEqual(response.status_code, 404, pk)
        self.assertEqual(self.client.get("/archives/documents/-1/file/").status_code, 404)
        self.assertEqual(self.client.get("/archives/documents/abc/file/").status_code, 404)

    def test_account_without_documents_right_gets_404_not_403(self):
        self.client.force_login(self.user_no_role)
        url = reverse("archives:document_file", args=[self.world.a.report.pk])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_anonymous_is_sent_to_login(self):
        url = reverse("archives:document_file", args=[self.world.a.report.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_opening_a_file_is_audited(self):
        from ...framework.models import ObjectChange

        self.client.force_login(self.user_with_perm)
        self.client.get(reverse("archives:document_file", args=[self.world.a.plan.pk]))
        self.assertTrue(ObjectChange.objects.filter(event="document.open").exists())

    def test_missing_file_is_404_not_500(self):
        self.client.force_login(self.user_with_perm)
        doc = add_document(
            user=self.user_with_perm,
            subject=self.world.a.room,
            category="photo",
            file=upload(jpeg_bytes(), "photo.jpg"),
        )
        private_storage.delete(doc.file.name)
        response = self.client.get(reverse("archives:document_file", args=[doc.pk]))
        self.assertEqual(response.status_code, 404)

    def test_a_tampered_stored_name_never_leaves_the_private_root(self):
        self.client.force_login(self.user_with_perm)
        doc = self.world.a.plan
        Document.objects.filter(pk=doc.pk).update(file="../../../../etc/passwd")
        response = self.client.get(reverse("archives:document_file", args=[doc.pk]))
        self.assertEqual(response.status_code, 404)


class TestNoPublicURL(ArchivesWorldMixin, TestCase):
    def test_private_root_is_outside_media_and_static(self):
        root = Path(private_storage.location).resolve()
        for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
            self.assertFalse(root.is_relative_to(Path(public).resolve()), public)

    def test_storage_has_no_url(self):
        with self.assertRaises(ValueError):
            private_storage.url(self.world.a.plan.file.name)

    def test_no_url_pattern_serves_media(self):
        def patterns(resolver, prefix=""):
            for p in resolver.url_patterns:
                if hasattr(p, "url_patterns"):
                    yield from patterns(p, prefix + str(p.pattern))
                else:
                    yield prefix + str(p.pattern), p

        for route, pattern in patterns(get_resolver()):
            callback = getattr(pattern.callback, "__name__", "")
            self.assertNotEqual(callback, "serve", route)
            self.assertFalse(route.lstrip("^/").startswith(("media", "private")), route)

    def test_pages_and_api_show_no_storage_path(self):
        self.client.force_login(self.user_with_perm)
        doc = self.world.a.report
        name = doc.file.name
        for url in (
            reverse("archives:document", args=[doc.pk]),
            reverse("archives:document_list"),
            reverse("api:archives:document-detail", args=[doc.pk]),
            self.world.a.building.get_absolute_url(),
        ):
            content = self.client.get(url).content.decode()
            self.assertNotIn(name, content, url)
            self.assertNotIn(name.rsplit("/", 1)[-1], content, url)


class TestUploadLimits(ArchivesWorldMixin, TestCase):
    def add(self, data: bytes, name: str, **kwargs) -> Document:
        return add_document(
            user=self.user_with_perm,
            subject=self.world.a.floor,
            category="floor_plan",
            file=upload(data, name),
            **kwargs,
        )

    def assert_refused(self, data: bytes, name: str, text: str) -> None:
        before = Document.objects.count()
        files_before = set(Path(private_storage.location).rglob("*"))
        with self.assertRaises(ValidationError) as caught:
            self.add(data, name)
        self.assertIn("file", caught.exception.message_dict)
        self.assertIn(text, " ".join(caught.exception.message_dict["file"]))
        self.assertEqual(Document.objects.count(), before)
        self.assertEqual(set(Path(private_storage.location).rglob("*")), files_before)

    def test_png_bytes_named_pdf_are_stored_as_png(self):
        doc = self.add(png_bytes(), "平面图.pdf")
        self.assertEqual(doc.content_type, "image/png")
        self.assertTrue(doc.file.name.endswith(".png"))
        self.assertEqual(doc.original_name, "平面图.pdf")

    def test_executable_is_refused_whatever_its_name(self):
        exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
        self.assert_refused(exe, "平面图.pdf", "application/x-msdownload")
        self.assert_refused(exe, "setup.exe", "只接受")

    def test_html_and_svg_with_script_are_plain_text_never_inline(self):
        doc = self.add(b"<html><script>alert(1)</script></html>", "plan.html")
        self.assertEqual(doc.content_type, "text/plain")
        self.assertFalse(doc.is_inline)

    def test_binary_garbage_is_refused(self):
        self.assert_refused(bytes(range(256)) * 4, "plan.png", "只接受")

    def test_empty_file_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.add(b"", "empty.pdf")
        self.assertIn("空", caught.exception.message_dict["file"][0])

    @override_settings(ARCHIVES_MAX_UPLOAD_BYTES=1000)
    def test_oversized_file_is_refused_naming_the_limit(self):
        self.assert_refused(png_bytes(size=(400, 400)) + b"\x00" * 2000, "big.png", "超过上限")

    def test_oversized_upload_through_the_page_names_the_field(self):
        self.client.force_login(self.user_with_perm)
        from django.contrib.contenttypes.models import ContentType

        floor = self.world.a.floor
        with override_settings(ARCHIVES_MAX_UPLOAD_BYTES=100):
            response = self.client.post(
                reverse("archives:document_add"),
                {
                    "subject_type": ContentType.objects.get_for_model(floor).pk,
                    "subject_id": floor.pk,
                    "subject_fixed": "1",
                    "category": self.world.a.plan.category_id,
                    "file": upload(png_bytes(size=(200, 200)), "big.png"),
                },
            )
        self.assertEqual(response.status_code, 200)
        self.assertIn("超过上限", " ".join(response.context["form"].errors["file"]))

    def test_path_traversal_in_the_original_name_is_only_data(self):
        for name in ("../../../etc/passwd.png", "..\\..\\windows\\plan.png", "/abs/plan.png"):
            doc = self.add(png_bytes(), name)
            self.assertNotIn("..", doc.original_name)
            self.assertNotIn("/", doc.original_name)
            self.assertNotIn("\\", doc.original_name)
            stored = Path(private_storage.path(doc.file.name)).resolve()
            self.assertTrue(stored.is_relative_to(Path(private_storage.location).resolve()))
            self.assertNotIn("passwd", doc.file.name)

    def test_original_name_is_cleaned(self):
        self.assertEqual(clean_original_name("a/b/测绘报告.pdf"), "测绘报告.pdf")
        self.assertEqual(clean_original_name("报\x00告\r\n.pdf"), "报告.pdf")
        self.assertEqual(clean_original_name(".."), "未命名文件")
        long = "长" * 300 + ".pdf"
        self.assertEqual(len(clean_original_name(long)), 255)
        self.assertTrue(clean_original_name(long).endswith(".pdf"))

    def test_sniffed_types(self):
        self.assertEqual(sniff_type(pdf_bytes()), "application/pdf")
        self.assertEqual(sniff_type(jpeg_bytes()), "image/jpeg")
        self.assertEqual(sniff_type(b"0\nSECTION\n2\nHEADER\n"), "image/vnd.dxf")
        self.assertEqual(sniff_type(b"ISO-10303-21;\nHEADER;"), "application/x-step")
        self.assertEqual(sniff_type("房屋测绘说明".encode("gb18030")), "text/plain")
        self.assertIsNone(sniff_type(b"\x00\x01\x02binary"))

    def test_office_files_are_recognised(self):
        import io

        import openpyxl
        from docx import Document as Docx

        buffer = io.BytesIO()
        docx = Docx()
        docx.add_paragraph("房屋维修合同")
        docx.save(buffer)
        self.assertEqual(
            self.add(buffer.getvalue(), "合同.docx").content_type,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        buffer = io.BytesIO()
        openpyxl.Workbook().save(buffer)
        self.assertEqual(
            sniff_type(buffer.getvalue()),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
