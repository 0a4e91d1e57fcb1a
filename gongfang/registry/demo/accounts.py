"""One demo account per role, all with the same documented password.

The password is for demonstrations only: it meets the policy of DESIGN §6 (length and character
classes) so it can be typed in, and everyone reading the README knows it. It counts as freshly
set (no forced change, which would break the documented password for the next visitor).

Accounts whose role requires a second factor get a TOTP authenticator; ``python manage.py
demo_totp <username>`` prints its current code and its otpauth:// URI (or a QR code with
``--qr``) for an authenticator app. An existing authenticator is kept, so an app set up once
keeps working after ``load_demo --flush``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from ...accounts.models import User
from ...accounts.otp import current_code, provision_device, totp_device
from ...accounts.roles import Role
from ..models import Organization, Region

DEMO_PASSWORD = "Demo@2026!"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    region_code: str | None = None
    # (region code, short name) of the organization a unit account is scoped to
    organization: tuple[str, str] | None = None


def demo_accounts(profile: str) -> list[DemoAccount]:
    accounts = [
        DemoAccount("zz_bureau", "枣庄市机关事务管理员", Role.BUREAU_ADMIN, "370400"),
        DemoAccount("tz_bureau", "滕州市机关事务管理员", Role.BUREAU_ADMIN, "370481"),
        DemoAccount(
            "unit_admin", "市教育局单位管理员", Role.UNIT_ADMIN, organization=("370400", "市教育局")
        ),
        DemoAccount("surveyor", "测绘单位账号", Role.SURVEYOR, "370400"),
        DemoAccount("supervisor", "纪检监督账号", Role.SUPERVISOR, "370400"),
        DemoAccount("leader", "审批领导账号", Role.LEADER, "370400"),
        DemoAccount("sys_admin", "系统管理员", Role.SYS_ADMIN),
        DemoAccount("sec_admin", "安全管理员", Role.SEC_ADMIN),
        DemoAccount("audit_admin", "审计管理员", Role.AUDIT_ADMIN),
    ]
    if profile == "province":
        accounts.insert(
            0, DemoAccount("sd_bureau", "山东省机关事务管理员", Role.BUREAU_ADMIN, "370000")
        )
    return accounts


def ensure_demo_accounts(profile: str) -> list[User]:
    """Create or update the demo accounts (roles, scope, password, authenticator); idempotent."""
    password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose
    users = []
    for account in demo_accounts(profile):
        user = User.objects.filter(username=account.username).first() or User(
            username=account.username
        )
        user.name = account.name
        user.roles = [account.role]
        user.is_active = True
        user.scope_region = None
        user.scope_organization = None
        if account.region_code:
            user.scope_region = Region.objects.get(code=account.region_code)
        if account.organization:
            code, short = account.organization
            user.scope_organization = Organization.objects.get(region__code=code, short_name=short)
        user.password = password
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.full_clean(exclude=["password"])
        user.save()
        if user.second_factor_required:
            provision_device(user=user)
        users.append(user)
    return users


def signing_credentials(user: User) -> dict[str, str]:
    """What a demo account types to sign a decision: its password and an authenticator code.

    The demo signs many times within the 30 s a code lives, so the device first forgets the last
    code used and the drift it learnt. The code given is the current time step's: when a busy
    machine crosses into the next step before the signature is checked, it is still within the
    device's tolerance of one step (a previous step's code would then be two steps old and
    refused, failing the demo's build).
    """
    device = totp_device(user)
    if device is None:
        return {"password": DEMO_PASSWORD, "otp": ""}
    type(device).objects.filter(pk=device.pk).update(last_t=-1, drift=0)
    return {"password": DEMO_PASSWORD, "otp": current_code(device)}
