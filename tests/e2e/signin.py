"""Signing in from the browser tests: the password, then the authenticator's code whenever the
account has an authenticator (the roles that require one, and the demo accounts that sign)."""

from __future__ import annotations

import re
import time

from gongfang.accounts.models import User
from gongfang.accounts.otp import current_code, totp_device

PASSWORD = "Demo@2026!"


def code(user: User, *, later: bool = False) -> str:
    """A fresh authenticator code: the device first forgets the last code used (the demo's build
    and earlier steps sign with this very half-minute's code). ``later``: the next step's code."""
    device = totp_device(user)
    type(device).objects.filter(pk=device.pk).update(last_t=-1)
    return current_code(device, at=time.time() + (30 if later else 0))


def sign_in(page, url: str, username: str, *, later: bool = False) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    user = User.objects.get(username=username)
    if totp_device(user) is not None:
        page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
        page.fill("input[name=token]", code(user, later=later))
        page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url
