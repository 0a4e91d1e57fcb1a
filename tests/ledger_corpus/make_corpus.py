"""Write the small bad (and two good) files the ledger reader's tests read.

The files are checked in next to this script so a reader change is tested against fixed bytes;
re-run it (``python tests/ledger_corpus/make_corpus.py``) only to change the corpus. Big files
(over the size limit, zip bombs) are never checked in: the tests build them in ``tmp_path``.
"""

from __future__ import annotations

import io
import random
import re
import sys
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CSV_ROWS = [
    ["单位名称", "统一社会信用代码"],
    ["某某市机关事务管理局", "11110000000000000X"],
    ["某某区财政局", "11110000000000001Y"],
]


def build(dest: Path) -> None:
    """Write every corpus file into ``dest`` (created if missing); the output is the same on
    every run, so re-running it leaves a clean checkout unchanged."""
    dest.mkdir(parents=True, exist_ok=True)
    noise = random.Random(20240601)

    def junk(n: int) -> bytes:
        return bytes(noise.randrange(256) for _ in range(n))

    files: dict[str, bytes] = {
        # A picture renamed to .xlsx.
        "not_a_spreadsheet.xlsx": PNG_SIGNATURE + b"\x00\x00\x00\rIHDR" + junk(2000),
        "text.pdf": b"%PDF-1.4\n% not a spreadsheet\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        # Old .xls files and password-protected .xlsx files are both OLE2 compound documents.
        "old_format.xls": OLE2_SIGNATURE + junk(4000),
        "encrypted.xlsx": OLE2_SIGNATURE + junk(4000),
        "formula.xlsx": _formula(),
        "merged.xlsx": _merged(),
        "empty.xlsx": _empty(),
        "no_worksheets.xlsx": _chartsheet_only(),
        "gbk.csv": _csv_text().encode("gbk"),
        "utf8_bom.csv": _csv_text().encode("utf-8-sig"),
        "binary.csv": b"name,code\r\nabc,\x00\x01\x02\x00\r\n" + junk(500).replace(b",", b"\x00"),
        # 0xFF and 0x80 cannot appear in UTF-8 nor in GB18030; no BOM in front, so the reader
        # has to try both encodings to find that out.
        "bad_encoding.csv": b"name,code\r\n" + b"abc,\xff\x80\xff\xfe\xfa\r\n" * 20,
    }
    valid = _formula()
    files["corrupt.xlsx"] = valid[: len(valid) // 2]
    for name, data in files.items():
        (dest / name).write_bytes(data)


def _csv_text() -> str:
    return "".join(",".join(row) + "\r\n" for row in CSV_ROWS)


def _save(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_timestamps(buffer.getvalue())


def _fixed_timestamps(data: bytes) -> bytes:
    """Rewrite the zip with fixed member dates and document times, so a re-run is byte-equal."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-06-01T00:00:00Z", content
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 6, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return out.getvalue()


def _formula() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "房间"
    sheet.append(["数量", "名称", "合计"])
    sheet.append([21, "会议室", "=A2*2"])
    return _save(workbook)


def _merged() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "房间"
    sheet.append(["房间号", "名称", "面积"])
    sheet.append(["101", None, 18.5])
    sheet.merge_cells("A2:B2")
    return _save(workbook)


def _empty() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    return _save(workbook)


def _chartsheet_only() -> bytes:
    """A workbook whose only sheet is a chart: openpyxl lists no worksheets for it."""
    from openpyxl.chart import BarChart, Reference

    workbook = openpyxl.Workbook()
    data = workbook.active
    data.append([1])
    chart = BarChart()
    chart.add_data(Reference(data, min_col=1, min_row=1, max_row=1))
    # openpyxl cannot read back a chartsheet without a chart on it.
    workbook.create_chartsheet("图表").add_chart(chart)
    workbook.remove(data)
    return _save(workbook)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
