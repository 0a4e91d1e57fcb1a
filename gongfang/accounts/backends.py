"""django-axes' lockout check, remembering on the request that the client was locked already."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied

# request attribute: the login was refused because the name or address was locked before it
WAS_LOCKED = "gf_was_locked"


class LockoutBackend(AxesStandaloneBackend):
    """First of ``AUTHENTICATION_BACKENDS``: a locked name or address is refused before its
    password is checked. Tells a refusal while locked from the failure that causes the lock,
    so the audit trail records one lockout and then failures "while locked"."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            setattr(request, WAS_LOCKED, True)
            raise
