"""For tests and benchmarks only: a test client signed in past every step of the login flow.

``Client.force_login`` already skips the password; :func:`complete_login` makes the session
look like one that also passed the second factor (with a TOTP device made on the fly when the
account needs one) and gives the account a fresh password, so the account-security middleware
lets it through. Tests of the flow itself log in through the form instead.
"""

from __future__ import annotations

from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .otp import current_code, provision_device


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code an authenticator app shows for ``device`` now (or at ``at``)."""
    return current_code(device, at=at)


def ensure_device(user: User) -> TOTPDevice:
    """The account's confirmed TOTP device, created if it has none."""
    return provision_device(user=user)


def complete_login(client, user: User) -> None:
    """After ``client.force_login(user)``: fresh password, and a session verified with the
    account's device (made if the role requires one)."""
    if user.must_change_password or user.password_expired:
        now = timezone.now()
        User.objects.filter(pk=user.pk).update(must_change_password=False, password_changed_at=now)
        user.must_change_password = False
        user.password_changed_at = now
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if not (has_device or user.second_factor_required):
        return
    device = ensure_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
