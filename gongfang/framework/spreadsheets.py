"""What every file the system writes for a spreadsheet shares: text that a spreadsheet would take
for a formula is defused with a leading apostrophe (the ledger importer drops it again), and
control characters an older version let into the data are dropped (an .xlsx cannot hold them)."""

from __future__ import annotations

from typing import Any

from .control_characters import strip_control_characters

# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def printable(value: Any) -> Any:
    """``value``, without control characters if it is text."""
    return strip_control_characters(value) if isinstance(value, str) else value


def defuse(value: Any) -> Any:
    """``value`` without control characters, with a leading apostrophe if it is text a
    spreadsheet would run."""
    value = printable(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
