"""Querysets that know who is asking."""

from __future__ import annotations

from django.db import models

from .scope import scope_q


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        """Only the rows ``user`` may ``action`` ("view", "add", "change", "delete").

        An account without the permission gets an empty queryset; with it, the rows inside its
        scope. Views, API, exports and counts all start here, so none filters by hand.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.has_model_perm(self.model, action):
            return self.none()
        if self.model.scope is None:
            return self
        return self.filter(scope_q(self.model, user, action))
