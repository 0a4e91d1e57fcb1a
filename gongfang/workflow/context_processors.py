"""The header's counts: open (and overdue) to-do items and unread notifications.

Computed only when a page's template reads them (htmx partials never do): one aggregate query
for the to-do, one count for the notifications.
"""

from __future__ import annotations

from functools import cached_property


class HeaderCounts:
    def __init__(self, user):
        self.user = user

    @cached_property
    def enabled(self) -> bool:
        from .models import Case

        return self.user.has_model_perm(Case, "view")

    @cached_property
    def _todo(self) -> tuple[int, int]:
        from .selectors import todo_counts

        return todo_counts(self.user) if self.enabled else (0, 0)

    @property
    def todo(self) -> int:
        return self._todo[0]

    @property
    def overdue(self) -> int:
        return self._todo[1]

    @cached_property
    def unread(self) -> int:
        from .selectors import unread_count

        return unread_count(self.user)


def header_counts(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"header_counts": HeaderCounts(user)}
