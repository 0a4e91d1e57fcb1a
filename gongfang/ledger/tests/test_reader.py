"""The ledger reader: good files come back as raw rows, bad ones are refused with the exact
Chinese message the user will read.

The bad files live in ``tests/ledger_corpus`` (built by its ``make_corpus.py``); the big ones
(over the size limit, zip bombs) are built here in ``tmp_path`` and never checked in.
"""

from __future__ import annotations

import codecs
import datetime
import io
import struct
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongfang.ledger import reader
from gongfang.ledger.reader import FileRejected, RawSheet, read_workbook

CORPUS = Path(__file__).resolve().parents[3] / "tests" / "ledger_corpus"
MiB = 1024 * 1024

CORRUPT = "Excel 文件已损坏，无法读取，请用 Excel 打开检查后重新保存。"
ZIP_BOMB = "文件解压后异常巨大（疑似“压缩炸弹”），已拒绝。"
CSV_ENCODING = "无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK 编码。"
CSV_SHEET = [
    RawSheet(
        name="单位",
        headers=["单位名称", "统一社会信用代码"],
        rows=[
            (2, ["某某市机关事务管理局", "11110000000000000X"]),
            (3, ["某某区财政局", "11110000000000001Y"]),
        ],
    )
]


def read_corpus(name: str, **kwargs) -> list[RawSheet]:
    with (CORPUS / name).open("rb") as fileobj:
        return read_workbook(name, fileobj, **kwargs)


def rejected(name: str, data: bytes | None = None, **kwargs) -> FileRejected:
    """The refusal of ``name`` (its corpus file, or ``data``)."""
    with pytest.raises(FileRejected) as info:
        if data is None:
            read_corpus(name, **kwargs)
        else:
            read_workbook(name, io.BytesIO(data), **kwargs)
    return info.value


def xlsx(build) -> bytes:
    """The bytes of a workbook: ``build(workbook)`` fills it."""
    workbook = openpyxl.Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(data: bytes) -> list[RawSheet]:
    return read_workbook("台账.xlsx", io.BytesIO(data))


def test_corpus_is_up_to_date(tmp_path):
    """The checked-in files are what make_corpus.py writes, and each is small."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.suffix != ".py")
    for name in built:
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name
        assert (CORPUS / name).stat().st_size < 100 * 1024


# The corpus ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not_a_spreadsheet.xlsx", "文件不是有效的 Excel（.xlsx）文件，可能已损坏或扩展名有误。"),
        ("text.pdf", "只能导入 .xlsx 或 .csv 文件。"),
        ("old_format.xls", "不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。"),
        (
            "encrypted.xlsx",
            "文件设有打开密码（已加密）或是旧版 Excel 文件，请取消密码并另存为 .xlsx 后再导入。",
        ),
        ("corrupt.xlsx", CORRUPT),
        ("no_worksheets.xlsx", "Excel 文件中没有工作表。"),
        ("binary.csv", "CSV 文件中含有二进制内容，不是有效的文本表格。"),
        ("bad_encoding.csv", CSV_ENCODING),
    ],
)
def test_corpus_file_is_rejected(name, message):
    error = rejected(name, csv_sheet="单位")
    assert error.message == message
    assert str(error) == message
    assert error.sheet == ""


def test_formula_is_rejected_with_its_cell():
    error = rejected("formula.xlsx")
    assert error.message == (
        "工作表“房间”第 2 行第 C 列是公式（=A2*2），请将公式复制后“选择性粘贴为数值”再导入。"
    )
    assert error.sheet == "房间"


def test_merged_cells_are_rejected_with_their_range():
    error = rejected("merged.xlsx")
    assert error.message == (
        "工作表“房间”含合并单元格（A2:B2），请取消合并并在每个单元格填上内容后再导入。"
    )
    assert error.sheet == "房间"


def test_empty_sheet_is_returned_empty():
    assert read_corpus("empty.xlsx") == [RawSheet(name="Sheet1", headers=[], rows=[])]


@pytest.mark.parametrize("name", ["gbk.csv", "utf8_bom.csv"])
def test_gbk_and_utf8_bom_csv_read_the_same(name):
    assert read_corpus(name, csv_sheet="单位") == CSV_SHEET


def test_bad_encoding_corpus_really_is_neither_utf8_nor_gb18030():
    data = (CORPUS / "bad_encoding.csv").read_bytes()
    assert not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-8", "gb18030", "gbk"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)


# Extensions and size ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["台账.XLSX", "units.Csv", " 台账.xlsx "])
def test_extension_is_case_insensitive(name):
    data = (CORPUS / ("utf8_bom.csv" if "sv" in name.lower() else "empty.xlsx")).read_bytes()
    assert read_workbook(name, io.BytesIO(data), csv_sheet="单位")


@pytest.mark.parametrize("name", ["台账.xlsm", "台账.ods", "台账", "台账.xlsx.exe", ""])
def test_other_extensions_are_rejected(name):
    assert rejected(name, b"PK\x03\x04").message == "只能导入 .xlsx 或 .csv 文件。"


def test_file_over_the_default_limit_is_rejected_before_reading(tmp_path):
    """50 MB + 1 byte, written sparse (instantly); the reader must not read it."""
    assert reader.max_upload_bytes() == 50 * MiB
    path = tmp_path / "big.xlsx"
    with path.open("wb") as fileobj:
        fileobj.truncate(50 * MiB + 1)

    class NoRead(io.FileIO):
        def read(self, *args):  # pragma: no cover - failing is the point
            raise AssertionError("read a file over the limit")

    with NoRead(path, "rb") as fileobj, pytest.raises(FileRejected) as info:
        read_workbook("big.xlsx", fileobj)
    assert info.value.message == "文件大小 50.0 MB，超过 50 MB 的上限，请拆分后分批导入。"


def test_size_limit_comes_from_settings(settings):
    settings.LEDGER_IMPORT_MAX_BYTES = 1 * MiB
    data = b"a,b\n" + b"1,2\n" * (MiB // 4)  # 1 MiB + 4 bytes
    error = rejected("units.csv", data)
    assert error.message == "文件大小 1.0 MB，超过 1 MB 的上限，请拆分后分批导入。"
    settings.LEDGER_IMPORT_MAX_BYTES = 3 * MiB // 2
    data = b"x" * (2 * MiB)
    assert rejected("units.csv", data).message == (
        "文件大小 2.0 MB，超过 1.5 MB 的上限，请拆分后分批导入。"
    )


def test_unseekable_stream_is_measured_while_read(settings):
    settings.LEDGER_IMPORT_MAX_BYTES = 1 * MiB

    class Stream(io.RawIOBase):
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def read(self, size=-1):
            return self.data.read(size)

        def seekable(self):
            return False

        def seek(self, *args):
            raise io.UnsupportedOperation("seek")

    assert read_workbook("u.csv", Stream(b"a,b\n1,2\n"), csv_sheet="s")[0].rows == [(2, ["1", "2"])]
    with pytest.raises(FileRejected) as info:
        read_workbook("u.csv", Stream(b"x" * (2 * MiB)), csv_sheet="s")
    assert info.value.message.startswith("文件大小 2.0 MB，超过 1 MB 的上限")


def test_file_can_be_read_twice_and_django_uploads_work():
    data = (CORPUS / "gbk.csv").read_bytes()
    upload = SimpleUploadedFile("单位.csv", data, content_type="text/csv")
    upload.read(5)  # wherever the caller left it
    first = read_workbook(upload.name, upload, csv_sheet="单位")
    assert upload.tell() == 0
    assert read_workbook(upload.name, upload, csv_sheet="单位") == first == CSV_SHEET


# xlsx: bad content --------------------------------------------------------------------------
def deflated_zip(name: str, size_mib: int) -> bytes:
    """A zip holding one member of ``size_mib`` MiB of zeros, deflated at the best ratio.

    Deflating 600 MB through :mod:`zipfile` takes seconds; after a full flush a deflate stream
    starts afresh, so one compressed MiB repeated is a valid stream of many, and the zip
    around it is written by hand.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(MiB)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = block * size_mib + compressor.flush()
    crc = 0
    for _ in range(size_mib):
        crc = zlib.crc32(zeros, crc)
    size = size_mib * MiB
    filename = name.encode()
    # version, flags, method (8 = deflate), time, date, crc, sizes, name length, extra length
    fields = (20, 0, 8, 0, 0x5821, crc, len(stream), size, len(filename), 0)
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + filename
    central = struct.pack("<4sH5H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0) + filename
    offset = len(local) + len(stream)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), offset, 0)
    return local + stream + central + end


def test_deflated_zip_is_a_real_zip():
    data = deflated_zip("xl/worksheets/sheet1.xml", 3)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("xl/worksheets/sheet1.xml") == bytes(3 * MiB)  # CRC checked too


def test_zip_bomb_is_rejected_quickly(tmp_path):
    """600 MB of zeros in one sheet part, about 600 KB on disk; refused from the zip
    directory alone, without inflating anything."""
    started = time.perf_counter()
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(deflated_zip("xl/worksheets/sheet1.xml", 600))
    built = time.perf_counter() - started
    assert path.stat().st_size < 1 * MiB
    started = time.perf_counter()
    with path.open("rb") as fileobj, pytest.raises(FileRejected) as info:
        read_workbook("bomb.xlsx", fileobj)
    checked = time.perf_counter() - started
    assert info.value.message == ZIP_BOMB
    assert checked < 1, (built, checked)


def bomb_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_one_member_with_a_bomb_ratio_is_rejected():
    """11 MB of zeros: under the total limit, but it inflates ~1000 times."""
    data = bomb_with({"[Content_Types].xml": b"<x/>", "xl/sharedStrings.xml": bytes(11 * MiB)})
    assert rejected("a.xlsx", data).message == ZIP_BOMB


def test_a_highly_compressible_but_small_member_is_fine():
    """Ratio alone is not enough: a 5 MB part of repeated XML is a normal big sheet."""
    padding = {"docProps/padding.xml": b"<a/>" * (5 * MiB // 4)}
    data = xlsx(lambda wb: wb.active.append(["名称"]))
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = {info.filename: archive.read(info) for info in archive.infolist()} | padding
    sheets = read_xlsx(bomb_with(members))
    assert sheets[0].headers == ["名称"]


def test_too_many_members_is_rejected():
    data = bomb_with({f"xl/media/{i}.bin": b"" for i in range(10_001)})
    assert rejected("a.xlsx", data).message == ZIP_BOMB


def test_total_uncompressed_limit_comes_from_settings(settings):
    data = xlsx(lambda wb: wb.active.append(["名称"]))
    assert read_xlsx(data)
    settings.LEDGER_IMPORT_MAX_UNCOMPRESSED_BYTES = 1000
    assert rejected("a.xlsx", data).message == ZIP_BOMB


def test_zip_without_a_workbook_is_corrupt():
    data = bomb_with({"word/document.xml": b"<w:document/>"})
    assert rejected("a.xlsx", data).message == CORRUPT


def _replace_member(data: bytes, name: str, replace) -> bytes:
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[name] = replace(members[name])
    return bomb_with(members)


def test_broken_sheet_xml_is_corrupt_and_names_the_sheet():
    data = xlsx(lambda wb: setattr(wb.active, "title", "房间") or wb.active.append(["名称"]))
    data = _replace_member(data, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    error = rejected("a.xlsx", data)
    assert error.message == CORRUPT
    assert error.sheet == "房间"


def test_damaged_member_data_is_corrupt():
    """Bytes flipped inside the compressed sheet: inflating or the CRC check fails."""

    def build(wb):
        for i in range(200):
            wb.active.append([f"第{i}行", i, i * 1.5])

    data = bytearray(xlsx(build))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle : middle + 16] = bytes(16)
    assert rejected("a.xlsx", bytes(data)).message == CORRUPT


def test_formula_anywhere_is_found_first_in_reading_order():
    def build(wb):
        wb.active.title = "单位"
        wb.active.append(["名称", "数量"])
        wb.active.append(["甲", 1])
        wb.active["Z40"] = "=SUM(B2:B3)+" + "1+" * 30 + "1"
        wb.active["AA41"] = "=1"
        other = wb.create_sheet("房间")
        other["A1"] = "=1"

    error = rejected("a.xlsx", xlsx(build))
    assert error.sheet == "单位"
    assert error.message == (
        "工作表“单位”第 40 行第 Z 列是公式（=SUM(B2:B3)+1+1+1+1+1+1+1+1+1+），"
        "请将公式复制后“选择性粘贴为数值”再导入。"
    )


def test_array_formula_is_rejected():
    from openpyxl.worksheet.formula import ArrayFormula

    def build(wb):
        wb.active.append(["名称"])
        wb.active["B3"] = ArrayFormula("B3:B3", "=SUM(A1:A2)")

    error = rejected("a.xlsx", xlsx(build))
    assert error.message.startswith("工作表“Sheet”第 3 行第 B 列是公式（=SUM(A1:A2)）")


def test_formula_under_an_empty_header_row_is_still_rejected():
    error = rejected("a.xlsx", xlsx(lambda wb: wb.active.__setitem__("C5", "=1+1")))
    assert error.message.startswith("工作表“Sheet”第 5 行第 C 列是公式")


def test_merged_header_title_in_a_later_sheet_is_rejected():
    def build(wb):
        wb.active.append(["名称"])
        second = wb.create_sheet("房间")
        second.append(["某某局办公用房台账"])
        second.merge_cells("A1:H1")

    error = rejected("a.xlsx", xlsx(build))
    assert error.sheet == "房间"
    assert "（A1:H1）" in error.message


@pytest.mark.parametrize(
    "element",
    [
        b'<x:mergeCell ref="C3:D4"/>',
        b"<mergeCell\n   ref='C3:D4' />",
    ],
)
def test_merged_cells_are_found_whatever_the_prefix_and_quotes(element):
    data = xlsx(lambda wb: wb.active.append(["名称"]))

    def add(xml: bytes) -> bytes:
        block = b'<mergeCells count="1" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        return xml.replace(b"</sheetData>", b"</sheetData>" + block + element + b"</mergeCells>")

    data = _replace_member(data, "xl/worksheets/sheet1.xml", add)
    assert "（C3:D4）" in rejected("a.xlsx", data).message


def test_merge_cell_across_a_scan_chunk_boundary_is_found(monkeypatch):
    monkeypatch.setattr(reader, "SCAN_CHUNK", 64)

    def build(wb):
        for i in range(5):
            wb.active.append([f"第{i}行", i])
        wb.active.merge_cells("A3:B3")

    data = xlsx(build)
    for offset in range(64):  # every alignment of the element against the chunks
        padded = _replace_member(
            data, "xl/worksheets/sheet1.xml", lambda xml, n=offset: b" " * n + xml
        )
        assert "（A3:B3）" in rejected("a.xlsx", padded).message


def test_too_many_rows_is_rejected(monkeypatch):
    monkeypatch.setattr(reader, "MAX_DATA_ROWS", 3)

    def build(wb):
        wb.active.title = "房间"
        wb.active.append(["名称"])
        for i in range(4):
            wb.active.append([f"{i}"])

    error = rejected("a.xlsx", xlsx(build))
    assert error.message == "工作表“房间”超过 3 行，请拆分后导入。"
    assert error.sheet == "房间"
    monkeypatch.setattr(reader, "MAX_DATA_ROWS", 4)
    assert len(read_xlsx(xlsx(build))[0].rows) == 4


# xlsx: good content -------------------------------------------------------------------------
def test_good_xlsx_values_and_row_numbers():
    def build(wb):
        sheet = wb.active
        sheet.title = "房间"
        sheet.append([" 房间号 ", "面积", "数量", "启用日期", "备注", None, None])
        sheet.append(["101", 18.5, 2, datetime.date(2024, 1, 2), "  东侧 "])
        sheet.append([None, None, None, None, None, "右侧无表头的列"])
        sheet.append([])
        sheet.append(["  ", None, "", None, None])
        sheet.append(["102", 20, 1, datetime.datetime(2024, 3, 4, 9, 30), True, "x", "y"])
        sheet["C20"] = None  # a styled but empty cell further down
        sheet["C20"].number_format = "0.00"
        sheet.column_dimensions["K"].width = 30
        wb.create_sheet("单位").append(["单位名称"])

    sheets = read_xlsx(xlsx(build))
    assert [s.name for s in sheets] == ["房间", "单位"]
    rooms = sheets[0]
    assert rooms.headers == ["房间号", "面积", "数量", "启用日期", "备注"]
    assert rooms.rows == [
        (2, ["101", 18.5, 2.0, datetime.date(2024, 1, 2), "  东侧 "]),
        (6, ["102", 20.0, 1.0, datetime.datetime(2024, 3, 4, 9, 30), True]),
    ]
    values = rooms.rows[0][1]
    assert type(values[1]) is float and type(values[2]) is float  # calamine reads numbers as float
    assert sheets[1] == RawSheet(name="单位", headers=["单位名称"], rows=[])


def test_short_rows_are_padded_and_interior_empty_headers_kept():
    def build(wb):
        wb.active.append(["甲", None, 2024, "丙"])
        wb.active.append(["a"])
        wb.active.append([None, None, None, "d", "beyond"])

    sheet = read_xlsx(xlsx(build))[0]
    assert sheet.headers == ["甲", "", "2024", "丙"]
    assert sheet.rows == [(2, ["a", None, None, None]), (3, [None, None, None, "d"])]


def test_text_that_looks_like_a_formula_is_not_one():
    def build(wb):
        wb.active.append(["备注"])
        wb.active["A2"].value = "=A1"
        wb.active["A2"].data_type = "s"

    assert read_xlsx(xlsx(build))[0].rows == [(2, ["=A1"])]


def test_chartsheets_are_skipped():
    from openpyxl.chart import BarChart, Reference

    def build(wb):
        wb.active.title = "房间"
        wb.active.append(["面积"])
        wb.active.append([10])
        chart = BarChart()
        chart.add_data(Reference(wb.active, min_col=1, min_row=1, max_row=2))
        wb.create_chartsheet("图表", 0).add_chart(chart)

    assert read_xlsx(xlsx(build)) == [RawSheet(name="房间", headers=["面积"], rows=[(2, [10])])]


def test_wrong_dimension_record_does_not_cut_the_sheet():
    """Some writers record <dimension ref="A1"/> whatever the sheet holds."""

    def build(wb):
        wb.active.append(["名称", "面积"])
        wb.active.append(["甲", 1])
        wb.active.append(["乙", 2])

    data = _replace_member(
        xlsx(build),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:B3"', b'<dimension ref="A1"'),
    )
    assert read_xlsx(data)[0].rows == [(2, ["甲", 1]), (3, ["乙", 2])]


# csv ----------------------------------------------------------------------------------------
def test_tab_separated_csv():
    data = "名称\t面积\t备注\n甲\t18.5\t含,逗号\n\n\t\t\n乙\t20\n".encode()
    assert read_workbook("a.csv", io.BytesIO(data), csv_sheet="房间") == [
        RawSheet(
            name="房间",
            headers=["名称", "面积", "备注"],
            rows=[(2, ["甲", "18.5", "含,逗号"]), (5, ["乙", "20", ""])],
        )
    ]


def test_csv_values_are_text_and_rows_count_records():
    data = (
        '名称 , 备注,\r\n=A1+1,"第一行\r\n第二行"\r\n,,,\r\n甲,  空格保留 ,多余的值\r\n'
    ).encode()
    sheet = read_workbook("a.csv", io.BytesIO(data), csv_sheet="单位")[0]
    assert sheet.headers == ["名称", "备注"]
    assert sheet.rows == [(2, ["=A1+1", "第一行\r\n第二行"]), (4, ["甲", "  空格保留 "])]


def test_empty_csv_is_an_empty_sheet():
    assert read_workbook("a.csv", io.BytesIO(b""), csv_sheet="单位") == [RawSheet(name="单位")]
    assert read_workbook("a.csv", io.BytesIO(b"\n\n1,2\n"), csv_sheet="单位") == [
        RawSheet(name="单位")
    ]


def test_utf16_csv_is_an_encoding_problem_not_binary():
    data = codecs.BOM_UTF16_LE + "名称\t面积\n甲\t1\n".encode("utf-16-le")
    assert rejected("a.csv", data).message == CSV_ENCODING


def test_bom_with_invalid_utf8_after_it_is_rejected():
    assert rejected("a.csv", codecs.BOM_UTF8 + b"a,b\n\xff\n").message == CSV_ENCODING


def test_too_many_csv_rows_is_rejected(monkeypatch):
    monkeypatch.setattr(reader, "MAX_DATA_ROWS", 2)
    error = rejected("a.csv", b"a\n1\n2\n3\n", csv_sheet="单位")
    assert error.message == "工作表“单位”超过 2 行，请拆分后导入。"
    assert error.sheet == "单位"


def test_csv_field_over_the_csv_module_limit_is_rejected():
    data = b'a,b\n1,2\n3,"' + b"x" * 200_000 + b'"\n'
    error = rejected("a.csv", data, csv_sheet="单位")
    assert error.message == "CSV 文件第 3 行格式有误，无法读取，请检查引号是否成对。"
