"""Small helpers for the drawing tests: a fresh DXF document and its bytes."""

from __future__ import annotations

import io

import ezdxf


def dxf_bytes(doc) -> bytes:
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("utf-8")


def new_doc(units: int = 6):
    """A DXF document with $INSUNITS ``units`` (6 metres, 4 millimetres, 0 unset)."""
    doc = ezdxf.new("R2010", setup=False)
    doc.header["$INSUNITS"] = units
    return doc
