"""Turn an uploaded spreadsheet into raw rows, or refuse it with a message the user can act on.

The reader is the only code that touches the uploaded bytes, so it is where unsafe or
unreadable files are stopped: too large, the wrong kind, encrypted, corrupt, a zip bomb, or
written in a way the importer cannot trust (formulas, whose values openpyxl cannot compute;
merged cells, whose value sits in one cell of the block only). Everything else — what the
headers mean, whether a value parses — is the importer's business: the reader hands over the
values as calamine (or the CSV text) gives them.

Every refusal is a :class:`FileRejected` whose ``message`` is shown to the user as it is, so it
is Simplified Chinese and says what to do about it.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import typing
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

import openpyxl
from django.conf import settings
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetTypeEnum

MiB = 1024 * 1024
# Defaults; the settings LEDGER_IMPORT_MAX_BYTES / LEDGER_IMPORT_MAX_UNCOMPRESSED_BYTES win.
MAX_UPLOAD_BYTES = 50 * MiB
MAX_UNCOMPRESSED_BYTES = 500 * MiB
# A single zip member that inflates more than this many times, and to more than
# MAX_MEMBER_RATIO_BYTES, is a bomb: real sheets compress about 5-20 times.
MAX_COMPRESSION_RATIO = 200
MAX_MEMBER_RATIO_BYTES = 10 * MiB
MAX_ZIP_MEMBERS = 10_000
MAX_DATA_ROWS = 200_000

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"

MSG_TOO_LARGE = "文件大小 {mb} MB，超过 {limit} MB 的上限，请拆分后分批导入。"
MSG_XLS = "不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。"
MSG_EXTENSION = "只能导入 .xlsx 或 .csv 文件。"
MSG_ENCRYPTED = "文件设有打开密码（已加密）或是旧版 Excel 文件，请取消密码并另存为 .xlsx 后再导入。"
MSG_NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件，可能已损坏或扩展名有误。"
MSG_CORRUPT = "Excel 文件已损坏，无法读取，请用 Excel 打开检查后重新保存。"
MSG_ZIP_BOMB = "文件解压后异常巨大（疑似“压缩炸弹”），已拒绝。"
MSG_NO_WORKSHEETS = "Excel 文件中没有工作表。"
MSG_FORMULA = (
    "工作表“{title}”第 {row} 行第 {column} 列是公式（{formula}），"
    "请将公式复制后“选择性粘贴为数值”再导入。"
)
MSG_MERGED = "工作表“{title}”含合并单元格（{ref}），请取消合并并在每个单元格填上内容后再导入。"
MSG_TOO_MANY_ROWS = "工作表“{title}”超过 {limit} 行，请拆分后导入。"
MSG_CSV_ENCODING = "无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK 编码。"
MSG_CSV_BINARY = "CSV 文件中含有二进制内容，不是有效的文本表格。"
MSG_CSV_SYNTAX = "CSV 文件第 {row} 行格式有误，无法读取，请检查引号是否成对。"

# A <mergeCell ref="A1:B2"/> element, whatever namespace prefix the writer chose. The element
# is bounded so that a match always fits in the overlap kept between two chunks.
MERGE_CELL_RE = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]{0,63}:)?mergeCell\s[^>]{0,1024}?\bref\s*=\s*[\"']([^\"'>]{1,64})[\"']"
)
# A <f> (formula) element inside a cell, whatever the prefix.
FORMULA_RE = re.compile(rb"<(?:[A-Za-z_][\w.\-]{0,63}:)?f[\s>/]")
SCAN_CHUNK = MiB
SCAN_OVERLAP = 2048


class FileRejected(Exception):
    """The whole file is refused; ``message`` is Chinese for the user (and ``sheet`` the sheet
    name or ""), so the view can show it without knowing why."""

    def __init__(self, message: str, *, sheet: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.sheet = sheet


@dataclass
class RawSheet:
    """One sheet as the user wrote it; the importer gives its cells meaning.

    ``rows`` holds ``(row number as Excel shows it, values)``: the header is row 1, so the
    numbers in error messages match what the user sees even when empty rows were skipped.
    """

    name: str
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, list]] = field(default_factory=list)


def max_upload_bytes() -> int:
    return getattr(settings, "LEDGER_IMPORT_MAX_BYTES", MAX_UPLOAD_BYTES)


def max_uncompressed_bytes() -> int:
    return getattr(settings, "LEDGER_IMPORT_MAX_UNCOMPRESSED_BYTES", MAX_UNCOMPRESSED_BYTES)


def read_workbook(
    filename: str, fileobj: typing.BinaryIO, *, csv_sheet: str = ""
) -> list[RawSheet]:
    """Read every worksheet of an uploaded ``.xlsx`` (or the one table of a ``.csv``, named
    ``csv_sheet``); raise :class:`FileRejected` for a file that cannot or must not be read.

    ``fileobj`` is read from its start and left at its start, so the caller may read it again.
    """
    extension = os.path.splitext((filename or "").strip())[1].lower()
    if extension == ".xls":
        raise FileRejected(MSG_XLS)
    if extension not in (".xlsx", ".csv"):
        raise FileRejected(MSG_EXTENSION)
    data = _read_limited(fileobj)
    if extension == ".csv":
        return [_read_csv(data, csv_sheet)]
    return _read_xlsx(data)


# Size ---------------------------------------------------------------------------------------
def _read_limited(fileobj: typing.BinaryIO) -> bytes:
    """All the bytes of ``fileobj``, refused before they are read when there are too many."""
    limit = max_upload_bytes()
    try:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(0)
    except (AttributeError, OSError):
        # Not seekable: count while reading, keeping no more than the limit in memory.
        return _read_unseekable(fileobj, limit)
    if size > limit:
        raise FileRejected(_too_large(size, limit))
    try:
        data = fileobj.read()
    finally:
        fileobj.seek(0)
    if len(data) > limit:  # the file grew since it was measured
        raise FileRejected(_too_large(len(data), limit))
    return data


def _read_unseekable(fileobj: typing.BinaryIO, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := fileobj.read(SCAN_CHUNK):
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        else:
            chunks.clear()
    if size > limit:
        raise FileRejected(_too_large(size, limit))
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> str:
    limit_mb = f"{limit / MiB:.1f}".rstrip("0").rstrip(".")
    return MSG_TOO_LARGE.format(mb=f"{size / MiB:.1f}", limit=limit_mb)


# xlsx ---------------------------------------------------------------------------------------
def _read_xlsx(data: bytes) -> list[RawSheet]:
    if data.startswith(OLE2_SIGNATURE):
        # Excel keeps a password-protected workbook in an OLE2 container, like an old .xls.
        raise FileRejected(MSG_ENCRYPTED)
    if not data.startswith(ZIP_SIGNATURE):
        raise FileRejected(MSG_NOT_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, and whatever else a mangled directory raises
        raise FileRejected(MSG_CORRUPT) from exc
    with archive:
        _check_zip_bomb(archive)
        try:
            values = CalamineWorkbook.from_filelike(io.BytesIO(data))
            parts = _sheet_parts(archive)
            names = [m.name for m in values.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        except Exception as exc:
            raise FileRejected(MSG_CORRUPT) from exc
        try:
            if not names:  # chartsheets only
                raise FileRejected(MSG_NO_WORKSHEETS)
            sheets = []
            for name in names:
                try:
                    _check_sheet_xml(archive, parts[name], name, data)
                    sheets.append(_read_worksheet(name, values))
                except FileRejected:
                    raise
                except Exception as exc:  # broken XML, a bad CRC, a truncated member...
                    raise FileRejected(MSG_CORRUPT, sheet=name) from exc
            return sheets
        finally:
            values.close()


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part, from the workbook's index (workbook.xml and its relations)."""
    root_rels = ElementTree.fromstring(archive.read("_rels/.rels"))
    book = next(
        r.get("Target", "") for r in root_rels if r.get("Type", "").endswith("/officeDocument")
    ).lstrip("/")
    folder = book.rsplit("/", 1)[0] + "/" if "/" in book else ""
    rels_path = f"{folder}_rels/{book.rsplit('/', 1)[-1]}.rels"
    targets = {
        r.get("Id"): r.get("Target", "") for r in ElementTree.fromstring(archive.read(rels_path))
    }
    parts = {}
    for sheet in ElementTree.fromstring(archive.read(book)).iter():
        if sheet.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        target = targets.get(rid, "")
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else folder + target
    return parts


def _check_zip_bomb(archive: zipfile.ZipFile) -> None:
    """Refuse an archive that would inflate to far more than any real ledger.

    The sizes are the ones the zip directory declares; :mod:`zipfile` never returns more than
    the declared size of a member (and fails on a CRC mismatch), so a lying directory cannot
    smuggle more data past this check.
    """
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileRejected(MSG_ZIP_BOMB)
    if sum(m.file_size for m in members) > max_uncompressed_bytes():
        raise FileRejected(MSG_ZIP_BOMB)
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_COMPRESSION_RATIO and member.file_size > MAX_MEMBER_RATIO_BYTES:
            raise FileRejected(MSG_ZIP_BOMB)


def _check_sheet_xml(archive: zipfile.ZipFile, path: str, title: str, data: bytes) -> None:
    """Refuse a sheet with merged cells or formulas.

    Merged cells: only the first cell of a merged block holds the value, so the rows under it
    would import with that column empty. Formulas: the value a file caches for a formula may be
    stale or missing, and the importer cannot compute it. Neither is visible in the values, so
    the sheet's XML part is scanned in chunks (it may be hundreds of MB); a formula found there
    is then located cell by cell for the message.
    """
    tail = b""
    has_formula = False
    with archive.open(path) as source:
        while chunk := source.read(SCAN_CHUNK):
            buffer = tail + chunk
            if b"mergeCell" in buffer and (match := MERGE_CELL_RE.search(buffer)):
                ref = match.group(1).decode("ascii", "replace")
                raise FileRejected(MSG_MERGED.format(title=title, ref=ref), sheet=title)
            has_formula = has_formula or bool(FORMULA_RE.search(buffer))
            tail = buffer[-SCAN_OVERLAP:]
    if has_formula:
        _locate_formula(data, title)


def _locate_formula(data: bytes, title: str) -> None:
    """Find the first formula cell for the message (openpyxl reads the cells' types)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        worksheet = workbook[title]
        worksheet.reset_dimensions()
        for number, cells in enumerate(worksheet.iter_rows(values_only=False), start=1):
            for column, cell in enumerate(cells, start=1):
                if cell.data_type == "f":
                    _reject_formula(title, number, column, cell.value)
    finally:
        workbook.close()


def _read_worksheet(title: str, workbook: CalamineWorkbook) -> RawSheet:
    """The header and data rows of one sheet; row numbers as Excel shows them."""
    table = workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
    headers: list[str] = []
    rows: list[tuple[int, list]] = []
    for number, raw in enumerate(table, start=1):
        values = [None if value == "" else value for value in raw]
        if number == 1:
            headers = _headers(values)
            continue
        if not headers:
            break
        values = _fit(values, len(headers))
        if _is_empty(values):
            continue
        rows.append((number, values))
        if len(rows) > MAX_DATA_ROWS:
            raise FileRejected(
                MSG_TOO_MANY_ROWS.format(title=title, limit=MAX_DATA_ROWS), sheet=title
            )
    return RawSheet(name=title, headers=headers, rows=rows)


def _reject_formula(title: str, row: int, column: int, value) -> typing.NoReturn:
    # An array formula comes as an ArrayFormula object whose ``text`` is the formula.
    formula = str(getattr(value, "text", value) or "")
    raise FileRejected(
        MSG_FORMULA.format(
            title=title, row=row, column=get_column_letter(column), formula=formula[:30]
        ),
        sheet=title,
    )


# csv ----------------------------------------------------------------------------------------
def _read_csv(data: bytes, sheet: str) -> RawSheet:
    text = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "," not in first_line and "\t" in first_line else ","
    headers: list[str] = []
    rows: list[tuple[int, list]] = []
    # Excel shows a quoted value with a line break in it as one row, so the row number is the
    # record's position, not the line's.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            if number == 1:
                headers = _headers(values)
                if not headers:
                    break
                continue
            values = _fit(values, len(headers), filler="")
            if _is_empty(values):
                continue
            rows.append((number, values))
            if len(rows) > MAX_DATA_ROWS:
                raise FileRejected(
                    MSG_TOO_MANY_ROWS.format(title=sheet, limit=MAX_DATA_ROWS), sheet=sheet
                )
    except csv.Error as exc:  # e.g. a field larger than csv.field_size_limit()
        raise FileRejected(MSG_CSV_SYNTAX.format(row=number + 1), sheet=sheet) from exc
    return RawSheet(name=sheet, headers=headers, rows=rows)


def _decode_csv(data: bytes) -> str:
    """The CSV text: UTF-8 (with or without the BOM Excel writes), else GB18030 — the superset
    of the GBK that Chinese Windows Excel saves "CSV" in."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileRejected(MSG_CSV_ENCODING) from exc
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or data.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        # UTF-16/32 text is full of NUL bytes; say it is the encoding, not that it is binary.
        raise FileRejected(MSG_CSV_ENCODING)
    if b"\x00" in data:
        raise FileRejected(MSG_CSV_BINARY)
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(MSG_CSV_ENCODING)


# Shared -------------------------------------------------------------------------------------
def _headers(values: typing.Sequence) -> list[str]:
    headers = [_header_text(value) for value in values]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _header_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # calamine reads 2024 as 2024.0
        value = int(value)
    return str(value).strip()


def _fit(values: list, width: int, filler=None) -> list:
    """``values`` cut or padded to the header's width: cells right of the last header are not
    part of the table."""
    if len(values) >= width:
        return list(values[:width])
    return list(values) + [filler] * (width - len(values))


def _is_empty(values: list) -> bool:
    """A row of blank cells (a space typed in a cell counts as blank) is not a data row."""
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)
