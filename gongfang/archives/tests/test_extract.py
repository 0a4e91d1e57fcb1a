"""Text extraction: files made here in every supported type, and broken files never raising."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from gongfang.archives import extract
from gongfang.archives.extract import DOCX, PDF, XLSX, extract_text
from gongfang.framework.pdf import html_to_pdf

PHRASE = "办公用房权属登记"


def make_pdf(*paragraphs: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return html_to_pdf(
        '<html><head><meta charset="utf-8"><style>body{font-family:"Noto Sans CJK SC"}</style>'
        f"</head><body>{body}</body></html>"
    )


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return make_pdf(f"常州市机关事务管理局{PHRASE}证明", "第二段：建筑面积 1234.5 平方米")


def test_pdf_text_holds_the_chinese_phrase(pdf_bytes: bytes) -> None:
    text = extract_text(pdf_bytes, PDF)
    assert PHRASE in text.replace(" ", "")
    assert "1234.5" in text


def test_docx_paragraphs_and_tables() -> None:
    data = make_docx(["第一段 维修方案", "第二段"], [["房间", "面积"], ["501室", "18.5"]])
    text = extract_text(data, DOCX)
    assert "第一段 维修方案" in text
    assert "501室\t18.5" in text


def test_docx_merged_cell_counted_once() -> None:
    document = docx.Document()
    grid = document.add_table(rows=1, cols=3)
    merged = grid.cell(0, 0).merge(grid.cell(0, 1))
    merged.text = "合并单元格"
    grid.cell(0, 2).text = "右"
    buffer = io.BytesIO()
    document.save(buffer)
    assert extract_text(buffer.getvalue(), DOCX).count("合并单元格") == 1


def test_xlsx_every_sheet_and_cell() -> None:
    data = make_xlsx({"房间": [["房号", "面积"], ["101", 20.5]], "人员": [["张三", None, "处长"]]})
    text = extract_text(data, XLSX)
    for expected in ("房间", "101\t20.5", "人员", "张三\t处长"):
        assert expected in text


def test_plain_text_utf8_and_gb18030() -> None:
    assert extract_text("公房管理\n".encode(), "text/plain; charset=utf-8") == "公房管理"
    assert extract_text("公房管理".encode("gb18030"), "text/plain") == "公房管理"


def test_images_and_unknown_types_have_no_text() -> None:
    assert extract_text(b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "image/png") == ""
    assert extract_text(b"anything", "application/octet-stream") == ""
    assert extract_text(b"", PDF) == ""


def test_control_characters_are_dropped() -> None:
    assert extract_text("甲\x00乙\x07丙".encode(), "text/plain") == "甲乙丙"


def test_text_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_CHARS", 100)
    assert len(extract_text(("长" * 1000).encode(), "text/plain")) == 100


def test_pdf_pages_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_PDF_PAGES", 1)
    html = '<p>第一页</p><p style="page-break-before:always">第二页</p>'
    text = extract_text(make_pdf(html), PDF)
    assert "第一页" in text and "第二页" not in text


def test_zip_bomb_refused_before_parsing(monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    monkeypatch.setattr(extract, "MAX_UNZIPPED_BYTES", 1000)
    data = make_docx(["甲" * 2000])
    assert extract_text(data, DOCX) == ""
    assert "no text" in caplog.text


def test_broken_pdf_gives_empty_text_and_a_log_line(caplog) -> None:
    assert extract_text(b"%PDF-1.7\n1 0 obj <</Type /Catalog", PDF) == ""
    assert "no text from a application/pdf" in caplog.text


def _mutations(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` truncated or with bytes overwritten: files that look right but are broken."""
    positions = st.integers(min_value=0, max_value=len(data) - 1)
    flips = st.lists(st.tuples(positions, st.integers(0, 255)), min_size=1, max_size=20)

    def overwrite(changes: list[tuple[int, int]]) -> bytes:
        buffer = bytearray(data)
        for position, value in changes:
            buffer[position] = value
        return bytes(buffer)

    return st.one_of(positions.map(lambda n: data[:n]), flips.map(overwrite))


SAMPLES = {
    PDF: make_pdf("样本文本 抽取"),
    DOCX: make_docx(["样本文本"], [["甲", "乙"]]),
    XLSX: make_xlsx({"表": [["样本", 1]]}),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content_type=st.sampled_from([PDF, DOCX, XLSX, "text/plain"]),
    data=st.binary(max_size=4096),
)
def test_random_bytes_never_raise(content_type: str, data: bytes) -> None:
    assert isinstance(extract_text(data, content_type), str)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(SAMPLES)).flatmap(
        lambda t: st.tuples(st.just(t), _mutations(SAMPLES[t]))
    )
)
def test_damaged_files_never_raise(case: tuple[str, bytes]) -> None:
    content_type, data = case
    text = extract_text(data, content_type)
    assert isinstance(text, str) and len(text) <= extract.MAX_CHARS


def test_zip_that_is_not_office_gives_empty_text() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "你好")
    assert extract_text(buffer.getvalue(), DOCX) == ""
    assert extract_text(buffer.getvalue(), XLSX) == ""
