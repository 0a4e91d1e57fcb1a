"""What every file the system writes for a spreadsheet shares: text that a spreadsheet would take
for a formula is defused with a leading apostrophe (the ledger importer drops it again)."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: Any) -> Any:
    """``value``, with a leading apostrophe if it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
