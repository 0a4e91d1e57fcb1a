"""Small real files for the tests: a PDF with Chinese text, a PNG, a JPEG."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile


def png_bytes(color: str = "#4a90d9", size: tuple[int, int] = (40, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#aa3322").save(buffer, format="JPEG")
    return buffer.getvalue()


_PDF: bytes | None = None


def pdf_bytes() -> bytes:
    """A one-page PDF (WeasyPrint, Noto CJK) reading 竣工验收记录 (made once per run)."""
    global _PDF
    if _PDF is None:
        from ...framework.pdf import html_to_pdf

        _PDF = html_to_pdf(
            "<html><body style=\"font-family: 'Noto Sans CJK SC'\">"
            "<h1>竣工验收记录</h1><p>屋面防水工程验收合格。</p></body></html>"
        )
    return _PDF


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)
