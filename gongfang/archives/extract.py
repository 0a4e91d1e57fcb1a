"""Plain text out of an uploaded file (PDF, .docx, .xlsx, text), for full-text search.

Uploads come from anyone with an add right, so a file may be broken, huge or hostile: every
reader here is bounded (characters kept, PDF pages read, seconds spent, a zip's unpacked size
and entry count before python-docx or openpyxl open it) and every failure gives ``""`` plus a
log line — a document whose text cannot be read is still kept, it is only not found by its text.
Images and other types give ``""`` (no OCR).
"""

from __future__ import annotations

import io
import logging
import time
import zipfile
from collections.abc import Callable, Iterator

from gongfang.framework.control_characters import strip_control_characters

logger = logging.getLogger(__name__)

MAX_CHARS = 200_000
MAX_PDF_PAGES = 500
MAX_SECONDS = 20.0
# An Office file is a zip: refuse to open one that would unpack past this (a zip bomb).
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 5_000

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Budget:
    """Characters collected so far and the time left; readers stop when either runs out."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.chars = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def add(self, text: str | None) -> bool:
        """Keep ``text``; whether the reader may go on."""
        if text:
            text = text[: MAX_CHARS - self.chars]
            self.parts.append(text)
            self.chars += len(text)
        return self.chars < MAX_CHARS and time.monotonic() < self.deadline

    def text(self) -> str:
        return "\n".join(self.parts)


def _pdf(data: bytes, budget: _Budget) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or not budget.add(page.extract_text()):
            return


def _check_zip(data: bytes) -> None:
    """Refuse an Office file whose zip is too many entries or unpacks too large."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ValueError(f"{len(entries)} zip entries")
        unpacked = sum(entry.file_size for entry in entries)
        if unpacked > MAX_UNZIPPED_BYTES:
            raise ValueError(f"unpacks to {unpacked} bytes")


def _docx(data: bytes, budget: _Budget) -> None:
    import docx

    _check_zip(data)
    document = docx.Document(io.BytesIO(data))
    for paragraph in document.paragraphs:
        if not budget.add(paragraph.text):
            return
    for table in document.tables:
        for row in table.rows:
            # A merged cell appears once per grid column it spans: keep it once.
            seen: list[str] = []
            for cell in row.cells:
                if cell.text and (not seen or seen[-1] != cell.text):
                    seen.append(cell.text)
            if not budget.add("\t".join(seen)):
                return


def _xlsx(data: bytes, budget: _Budget) -> None:
    from openpyxl import load_workbook

    _check_zip(data)
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            if not budget.add(sheet.title):
                return
            for row in sheet.iter_rows(values_only=True):
                cells = [str(value) for value in row if value is not None and value != ""]
                if cells and not budget.add("\t".join(cells)):
                    return
    finally:
        workbook.close()


def _plain(data: bytes, budget: _Budget) -> None:
    head = data[: MAX_CHARS * 4]
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Chinese text files from older Windows tools are GBK/GB 18030.
        text = head.decode("gb18030", errors="replace")
    budget.add(text)


READERS: dict[str, Callable[[bytes, _Budget], None]] = {
    PDF: _pdf,
    DOCX: _docx,
    XLSX: _xlsx,
    "text/plain": _plain,
    "text/csv": _plain,
}


def _normalise(text: str) -> Iterator[str]:
    """Lines without control characters or trailing blanks, runs of empty lines dropped."""
    for line in strip_control_characters(text).splitlines():
        line = line.strip()
        if line:
            yield line


def extract_text(data: bytes, content_type: str) -> str:
    """The searchable text of a file of ``content_type`` (``""`` if none or unreadable)."""
    reader = READERS.get((content_type or "").split(";")[0].strip().lower())
    if reader is None or not data:
        return ""
    budget = _Budget()
    try:
        reader(data, budget)
    except Exception as exc:  # any parser failure means "no text", never a 500
        logger.warning(
            "archives: no text from a %s file (%d bytes): %r", content_type, len(data), exc
        )
        # What was read before the failure is still worth finding.
    return "\n".join(_normalise(budget.text()))[:MAX_CHARS]
