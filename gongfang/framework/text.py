"""Small text tests shared by the error pages and the API's error handler."""

from __future__ import annotations

import re

HAN = re.compile(r"[\u4e00-\u9fff]")


def is_chinese(text: object) -> bool:
    """Whether a message was written in Chinese (by us), not a framework's English default.

    Error messages raised by our code are Chinese and may be shown as they are; Django's and
    DRF's own ("No Room matches the given query.", "Resolver404") never contain a Han character.
    """
    return bool(HAN.search(str(text)))


def is_number(text: object) -> bool:
    """Whether ``text`` is a whole number written in ASCII digits, so ``int()`` accepts it.

    ``str.isdigit`` also says yes to "²" or "①", which ``int()`` then refuses with a 500.
    """
    return isinstance(text, str) and text.isascii() and text.isdigit()
