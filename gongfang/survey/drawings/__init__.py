"""Room drawings in (DXF via ezdxf, IFC via IfcOpenShell): polygons in metres, areas, labels, problems.

``read_drawing`` never raises on bad input: whatever is wrong with a file is returned as a list of
``Problem`` (Chinese text naming the layer, entity and coordinates), and its work is bounded
(``max_bytes``, ``max_entities``, block nesting, points per arc).
"""

from __future__ import annotations

import logging
import re

from gongfang.survey.drawings.results import DrawingResult, DrawnRoom, LayerInfo, Problem

__all__ = ["DrawingResult", "DrawnRoom", "LayerInfo", "Problem", "read_drawing", "sniff"]

MAX_BYTES = 64 * 1024 * 1024
MAX_ENTITIES = 300_000
logger = logging.getLogger(__name__)
_DXF_START = re.compile(rb"^\s*(0|999)\s*\r?\n")


def sniff(data: bytes, filename: str = "") -> str:
    """ "dxf", "ifc", "dwg", "zip" or "" from the first bytes (the file name only breaks ties)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if head.startswith(b"AutoCAD Binary DXF"):
        return "dxf"
    if head.startswith((b"AC10", b"AC1.", b"AC2.")):
        return "dwg"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if b"ISO-10303-21" in head[:1024]:
        return "ifc"
    if _DXF_START.match(head) and (
        b"SECTION" in head or b"EOF" in head or filename.lower().endswith(".dxf")
    ):
        return "dxf"
    return ""


def read_drawing(
    data: bytes,
    *,
    filename: str = "",
    units: float | None = None,
    outline_layers: list[str] | None = None,
    label_layers: list[str] | None = None,
    storey: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_entities: int = MAX_ENTITIES,
) -> DrawingResult:
    """Rooms of a DXF floor plan or an IFC model; never raises on bad input."""
    kind = sniff(data or b"", filename)
    result = DrawingResult(format=kind if kind in ("dxf", "ifc") else "")
    if not data:
        result.error("整个文件", "文件是空的")
        return result
    if len(data) > max_bytes:
        result.error(
            "整个文件",
            f"文件过大（{len(data) / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB），请只导出本层平面",
        )
        return result
    if kind == "dwg":
        result.error("整个文件", "这是 DWG 文件，请在 CAD 中另存为 DXF 后再导入")
        return result
    if kind == "zip":
        result.error("整个文件", "这是压缩文件，请解压后导入其中的 DXF 或 IFC 文件")
        return result
    if not kind:
        result.error("整个文件", "不是 DXF 或 IFC 文件，无法读取")
        return result
    try:
        if kind == "dxf":
            from gongfang.survey.drawings.dxf import read_dxf

            read_dxf(
                data,
                result,
                units=units,
                outline_layers=outline_layers,
                label_layers=label_layers,
                max_entities=max_entities,
            )
        else:
            from gongfang.survey.drawings.ifc import read_ifc

            read_ifc(data, result, storey=storey, max_entities=max_entities)
    except (MemoryError, RecursionError):
        result.error("整个文件", "图纸过于复杂，超出可处理的范围，请只导出本层平面")
    except (
        Exception
    ):  # a drawing is outside input: whatever a reader library throws is reported, not raised
        logger.exception("Reading drawing %r failed", filename)
        result.error("整个文件", "读取图纸时出错，文件可能已损坏")
    if not result.rooms and not any(p.severity == "error" for p in result.problems):
        result.error("整个图纸", "图纸中没有找到房间")
    return result
