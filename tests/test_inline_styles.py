"""Page templates carry no inline ``style`` attributes: the content security policy
(``style-src 'self'``) makes the browser ignore them, so a layout that relies on one silently
breaks (a fleet list meant to scroll in 24rem grew a phone page to 48,000 px). Templates
rendered to PDF by WeasyPrint (no CSP there) may use them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STYLE = re.compile(r"<[a-zA-Z][^>]*\sstyle=")
# Rendered only to PDF (WeasyPrint), never served as a page.
PDF_ONLY = {"workflow/receipt.html", "titles/usecertificate_pdf.html"}


def page_templates():
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        name = path.as_posix().split("/templates/", 1)[1]
        if name.endswith("_pdf.html") or name in PDF_ONLY:
            continue
        yield name, path


def test_no_inline_styles_in_page_templates():
    offending = [
        f"{name}:{n}"
        for name, path in page_templates()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if STYLE.search(line)
    ]
    assert not offending, "内联样式会被内容安全策略拦截：" + "，".join(offending)
