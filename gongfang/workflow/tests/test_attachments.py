"""Attachments: type by content, size limit, clean names, who may attach."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ...framework.models import ObjectChange
from .. import services
from ..models import Attachment
from .conftest import sign

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_pdf_is_stored_with_a_clean_name_and_its_hash(submitted, unit_a, media):
    case = submitted()
    upload = SimpleUploadedFile("../../协议<草稿>.pdf", PDF)
    attachment = services.add_attachment(actor=unit_a, case=case, upload=upload)
    assert attachment.name == "协议草稿.pdf"
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.file.name.startswith(f"cases/{case.pk}/")
    assert (media / attachment.file.name).read_bytes() == PDF
    assert ObjectChange.objects.filter(event="case.attach", changed_object_id=case.pk).exists()


@pytest.mark.parametrize(
    ("name", "content", "stored"),
    [
        ("扫描件.pdf", PNG, "扫描件.png"),  # the content decides the type
        ("签批单", PDF, "签批单.pdf"),
        ("合同.docx", zipped("word/document.xml", "[Content_Types].xml"), "合同.docx"),
        ("清单.xlsx", zipped("xl/workbook.xml"), "清单.xlsx"),
        ("公文.ofd", zipped("OFD.xml", "Doc_0/Document.xml"), "公文.ofd"),
        ("照片.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "照片.jpg"),
    ],
)
def test_types_by_content(submitted, unit_a, name, content, stored):
    attachment = services.add_attachment(
        actor=unit_a, case=submitted(), upload=SimpleUploadedFile(name, content)
    )
    assert attachment.name == stored


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00 program",
        b"<html><script></script></html>",
        zipped("evil.sh"),
        b"PK\x03\x04 broken",
    ],
)
def test_other_types_are_refused(submitted, unit_a, content):
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(
            actor=unit_a, case=submitted(), upload=SimpleUploadedFile("文件.pdf", content)
        )
    assert "file" in exc.value.message_dict
    assert not Attachment.objects.exists()


def test_size_limit(submitted, unit_a):
    upload = SimpleUploadedFile("大文件.pdf", PDF)
    upload.size = 20 * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(actor=unit_a, case=submitted(), upload=upload)
    assert "20 MB" in exc.value.message_dict["file"][0]


def test_who_may_attach(submitted, unit_a, unit_b, bureau_a, bureau_b):
    case = submitted()
    services.add_attachment(actor=bureau_a, case=case, upload=SimpleUploadedFile("a.pdf", PDF))
    for outsider in (unit_b, bureau_b):
        with pytest.raises(ValidationError):
            services.add_attachment(
                actor=outsider, case=case, upload=SimpleUploadedFile("b.pdf", PDF)
            )
    services.withdraw_case(actor=unit_a, case=case)
    with pytest.raises(ValidationError):
        services.add_attachment(actor=unit_a, case=case, upload=SimpleUploadedFile("c.pdf", PDF))
    assert Attachment.objects.count() == 1


def test_files_given_with_a_decision_belong_to_it(submitted, bureau_a, leader_a):
    case = services.decide(actor=bureau_a, case=submitted(), decision="approve")
    case = services.decide(
        actor=leader_a,
        case=case,
        decision="approve",
        files=[SimpleUploadedFile("签批单.pdf", PDF)],
        **sign(leader_a),
    )
    attachment = Attachment.objects.get(case=case)
    assert attachment.action.action == "approve" and attachment.action.actor == leader_a
    assert attachment.action.signature is not None


def test_files_of_a_refused_decision_are_not_kept(submitted, bureau_a, leader_a, spec, media):
    case = services.decide(actor=bureau_a, case=submitted(), decision="approve")
    spec.fail_apply = "该房间已被封存。"
    with pytest.raises(ValidationError):
        services.decide(
            actor=leader_a,
            case=case,
            decision="approve",
            files=[SimpleUploadedFile("签批单.pdf", PDF)],
            **sign(leader_a),
        )
    assert not Attachment.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]
