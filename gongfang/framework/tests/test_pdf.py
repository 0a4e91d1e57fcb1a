"""framework.pdf: A4 documents from templates, no resource fetched but inline data: URIs."""

from __future__ import annotations

import pytest
from django.template import engines

from ..pdf import RemoteResourceRefused, _url_fetcher, html_to_pdf, pdf_response


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/a.css",
        "file:///etc/passwd",
        "ftp://example.com/x",
    ],
)
def test_fetcher_refuses_everything_but_data_uris(url):
    with pytest.raises(RemoteResourceRefused):
        _url_fetcher()(url)


def test_fetcher_serves_data_uris():
    response = _url_fetcher()("data:text/plain;base64,5YWs5oi/")
    assert response.read().decode() == "公房"


def test_template_renders_pdf_and_skips_remote_images(monkeypatch):
    fetched = []
    from weasyprint.urls import URLFetcher

    original = URLFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", spy)
    html = (
        engines["django"]
        .from_string(
            '{% extends "framework/pdf/base.html" %}{% block content %}<h1>回执</h1>'
            '<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname">{% endblock %}'
        )
        .render({"pdf_font_family": '"Noto Sans CJK SC"'})
    )
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF-")
    # The refusal happens before the base fetcher is reached: nothing went out.
    assert fetched == []


def test_pdf_response_names_the_file_in_chinese():
    response = pdf_response(b"%PDF-1.7", "使用权证-1.pdf", inline=False)
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E4%BD%BF%E7%94%A8%E6%9D%83%E8%AF%81-1.pdf" in disposition
