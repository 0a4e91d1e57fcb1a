"""Object URLs without walking the URL configuration for every row of a list."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# An integer no key reaches, reversed in place of the key and then replaced by it.
SLOT = 918_273_645_546_372_819
_patterns: dict[tuple[str, str, Any], tuple[str, str]] = {}


def pk_url(view_name: str, pk: Any) -> str:
    """``reverse(view_name, args=[pk])``, the URL configuration walked once per view name.

    A list page links every row to its page, edit and delete pages, and every related object to
    its own: a few hundred reverse() calls a page, most of what was left of its time.
    """
    if type(pk) is not int:
        return reverse(view_name, args=[pk])
    key = (view_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    parts = _patterns.get(key)
    if parts is None:
        head, _, tail = reverse(view_name, args=[SLOT]).partition(str(SLOT))
        parts = _patterns[key] = (head, tail)
    return f"{parts[0]}{pk}{parts[1]}"
