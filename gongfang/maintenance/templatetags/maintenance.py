"""Template filters of maintenance pages."""

from __future__ import annotations

import decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """An amount in 元 with thousands separators and two decimals: 1,234,567.80 (— when empty)."""
    if value in (None, ""):
        return "—"
    try:
        return f"{decimal.Decimal(value):,.2f}"
    except (decimal.InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def bar(value: Any) -> int:
    """A percentage for a <progress> bar: 0–100."""
    try:
        return max(0, min(100, int(value)))
    except (TypeError, ValueError):
        return 0
