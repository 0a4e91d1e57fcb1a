"""The second factor with django-otp: a TOTP authenticator app, and recovery codes for when the
phone is lost (our ``RecoveryCodeDevice``: codes stored only as salted hashes, see recovery.py).

A session is verified when django-otp's ``login`` has put the device that accepted a code into
it; ``OTPMiddleware`` then answers ``request.user.is_verified()``.
"""

from __future__ import annotations

import base64
import re
import time

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..framework.text import is_number
from . import recovery
from .audit import auth_event
from .models import RecoveryCode, RecoveryCodeDevice, User
from .sessions import cycle_key

DEVICE_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"


def totp_device(user: User) -> TOTPDevice | None:
    """The account's confirmed authenticator, if it has one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code an authenticator app shows for ``device`` now (or at the Unix time ``at``): the
    app's clock, not the drift the server learnt for it."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"


def secret_of(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it by hand: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as an SVG QR code in a data: URI (made here, nothing fetched)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def provision_device(*, user: User) -> TOTPDevice:
    """The account's confirmed authenticator, created without the enrolment page if it has none
    (demo accounts, tests); its key then reaches the user some other way."""
    device = totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    return device


def start_enrollment(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the enrolment page (the same one until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    """New codes replacing the old ones; only their hashes are stored, the codes are returned
    (as shown: ``xxxxx-xxxxx``) to be shown once and never kept."""
    StaticDevice.objects.filter(user=user).delete()  # codes from before they were hashed
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < settings.OTP_RECOVERY_CODE_COUNT:
        code = recovery.new_code()
        if code not in codes:
            codes.append(code)
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=recovery.hash_code(code)) for code in codes
    )
    return [recovery.shown(code) for code in codes]


def confirm_enrollment(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the new authenticator with a code from it; on success the session is verified
    and the new recovery codes are returned (shown once). None if the code is wrong."""
    user = request.user
    token = re.sub(r"\s", "", token or "")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if not device.verify_token(token):
            auth_event("auth.otp_enroll", actor=user, success=False, data={"reason": "wrong_code"})
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        auth_event("auth.otp_enroll", actor=user, data={"recovery_codes": len(codes)})
    otp_login(request, device)
    cycle_key(request)
    return codes


def normalize_code(token: str) -> str:
    return re.sub(r"[\s-]", "", token or "").lower()


def verify(*, request, token: str) -> bool:
    """Check a code from the authenticator, or a recovery code (used up by this), and verify
    the session with it."""
    user = request.user
    token = normalize_code(token)
    with transaction.atomic():
        if is_number(token):
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            device = device.order_by("-pk").first()
            event, kind = "auth.otp_verify", "totp"
        else:
            device = RecoveryCodeDevice.objects.select_for_update().filter(
                user=user, confirmed=True
            )
            device = device.first()
            event, kind = "auth.otp_recovery_used", "recovery_code"
        verified = device is not None and device.verify_token(token)
        data = {"method": kind}
        if verified and kind == "recovery_code":
            data["recovery_codes_left"] = recovery_codes_left(user)
        auth_event(event, actor=user, success=verified, data=data)
    if verified:
        otp_login(request, device)
        cycle_key(request)
    return verified


def throttled(user: User) -> bool:
    """Whether django-otp is making the account wait after wrong codes."""
    device = totp_device(user)
    return device is not None and not device.verify_is_allowed()[0]


def regenerate_recovery_codes(*, user: User) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        auth_event("auth.otp_recovery_regenerate", actor=user, data={"recovery_codes": len(codes)})
    return codes


def disable(*, user: User) -> None:
    """Remove the second factor of an account whose roles do not require one."""
    if user.second_factor_required:
        raise PermissionError("该账号的角色要求双因素认证，不能解除。")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        RecoveryCodeDevice.objects.filter(user=user).delete()
        auth_event("auth.otp_disable", actor=user)
