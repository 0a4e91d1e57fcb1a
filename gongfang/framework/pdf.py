"""PDF documents (receipts, certificates) rendered from Django templates with WeasyPrint.

The page is A4 with page numbers (``framework/pdf/base.html``); the text is set in Noto Sans CJK
SC, the Debian ``fonts-noto-cjk`` font found through fontconfig, so nothing is fetched: the URL
fetcher refuses every address but inline ``data:`` URIs (a QR code, a seal), so a template — or
a value written into it — can never make the server reach the network or read a local file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string

# What the stylesheet asks for; fontconfig resolves it to the installed Noto CJK file.
FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif'


class RemoteResourceRefused(ValueError):
    """A document asked for a resource other than an inline data: URI."""


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    class InlineOnlyFetcher(URLFetcher):
        """Serves ``data:`` URIs only; any other scheme (http, https, file, ftp) is refused."""

        def fetch(self, url, headers=None):
            if not url.lower().startswith("data:"):
                raise RemoteResourceRefused(f"PDF 不加载外部资源：{url[:80]}")
            return super().fetch(url, headers)

    return InlineOnlyFetcher(allowed_protocols={"data"})


def html_to_pdf(html: str) -> bytes:
    """``html`` (a whole document) as PDF bytes, without any fetch beyond data: URIs."""
    from weasyprint import HTML

    # A base URL of its own scheme: relative links resolve to nothing fetchable.
    return HTML(string=html, base_url="about:blank", url_fetcher=_url_fetcher()).write_pdf()


def render_pdf(template_name: str, context: dict[str, Any] | None = None, request=None) -> bytes:
    """The template (which extends ``framework/pdf/base.html``) rendered as PDF bytes."""
    html = render_to_string(
        template_name, {"pdf_font_family": FONT_FAMILY, **(context or {})}, request=request
    )
    return html_to_pdf(html)


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """An HTTP answer carrying a PDF, its Chinese file name encoded per RFC 6266/5987."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    ascii_name = "".join(
        c if (c.isascii() and c.isalnum()) or c in "-_." else "_" for c in filename
    )
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
