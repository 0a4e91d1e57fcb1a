"""Second factor (DESIGN §6): TOTP enrolment with a QR code and recovery codes, verification in
each new session, recovery codes, required for bureau, leader and the three administrators,
optional for the others — and a leader without one reaches nothing but enrolment."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import RecoveryCode
from ..roles import Role
from ..testing import ensure_device, totp_code
from .conftest import browser, events, login, make_account, reaches_home

pytestmark = [pytest.mark.real_auth, pytest.mark.django_db]

NO_THROTTLE = override_settings(OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0)


CODE = re.compile(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>")


def enroll(client, user) -> list[str]:
    """Enrol through the page; returns the recovery codes shown."""
    client.get(reverse("accounts:otp_enroll"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:otp_enroll"), {"token": totp_code(device)})
    assert response.status_code == 200, response.content.decode()[:500]
    return CODE.findall(response.content.decode())


# Enrolment -----------------------------------------------------------------------------------
@NO_THROTTLE
def test_leader_is_sent_to_enrolment_and_enrols(leader):
    client = browser()
    login(client, "leader1")
    response = client.get(reverse("home"))
    assert response["Location"] == f"{reverse('accounts:otp_enroll')}?next=%2F"

    page = client.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in content  # the QR code, made on the server
    device = TOTPDevice.objects.get(user=leader, confirmed=False)
    assert "otpauth://totp/" in device.config_url
    assert "您的角色要求使用双因素认证" in content
    # The key for typing in by hand, in groups of four.
    assert re.search(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", content)

    wrong = client.post(reverse("accounts:otp_enroll"), {"token": "000000"})
    assert "动态口令不正确" in wrong.content.decode()
    assert events("auth.otp_enroll", user=leader, result="failure").count() == 1

    response = client.post(
        reverse("accounts:otp_enroll"), {"token": totp_code(device), "next": "/"}
    )
    # The codes are in the answer itself (never parked in the session, which the database keeps).
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    codes_page = response.content.decode()
    codes = CODE.findall(codes_page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/"' in codes_page
    assert RecoveryCode.objects.filter(device__user=leader).count() == 10
    # Shown once only.
    assert client.get(reverse("accounts:otp_codes")).status_code == 302

    device.refresh_from_db()
    assert device.confirmed
    assert reaches_home(client)
    assert events("auth.otp_enroll", user=leader, result="success").count() == 1


# Verification --------------------------------------------------------------------------------
@NO_THROTTLE
def test_a_new_session_must_verify(leader):
    device = ensure_device(leader)
    client = browser()
    login(client, "leader1")
    response = client.get(reverse("registry:room_list"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    # Neither the enrolment page (which would replace the device) nor any other is reachable.
    assert client.get(reverse("accounts:otp_enroll"))["Location"].startswith(
        reverse("accounts:otp_verify")
    )
    assert client.get(reverse("accounts:password_change")).status_code == 302

    wrong = client.post(reverse("accounts:otp_verify"), {"token": "123456"})
    assert "动态口令或恢复码不正确" in wrong.content.decode()
    assert events("auth.otp_verify", user=leader, result="failure").count() == 1

    key_before = client.session.session_key
    response = client.post(
        reverse("accounts:otp_verify"), {"token": totp_code(device), "next": "/rooms/"}
    )
    assert response.status_code == 302 and response["Location"] == "/rooms/"
    assert client.session.session_key != key_before  # a new key after the privilege step
    assert client.get(reverse("registry:room_list")).status_code in (200, 403)
    assert reaches_home(client)
    assert events("auth.otp_verify", user=leader, result="success").count() == 1

    # Another browser must verify again.
    other = browser("10.6.6.6")
    login(other, "leader1")
    assert other.get(reverse("home"))["Location"].startswith(reverse("accounts:otp_verify"))


@NO_THROTTLE
def test_a_code_is_good_once(leader):
    device = ensure_device(leader)
    code = totp_code(device)
    first, second = browser(), browser("10.6.6.6")
    login(first, "leader1")
    login(second, "leader1")
    assert first.post(reverse("accounts:otp_verify"), {"token": code}).status_code == 302
    assert second.post(reverse("accounts:otp_verify"), {"token": code}).status_code == 200


def test_wrong_codes_are_throttled(leader):
    device = ensure_device(leader)
    client = browser()
    login(client, "leader1")
    client.post(reverse("accounts:otp_verify"), {"token": "111111"})
    response = client.post(reverse("accounts:otp_verify"), {"token": totp_code(device)})
    assert "错误次数过多" in response.content.decode()


@NO_THROTTLE
def test_recovery_code_verifies_once(leader):
    client = browser()
    login(client, "leader1")
    codes = enroll(client, leader)
    client.post(reverse("accounts:logout"))

    again = browser("10.2.2.2")
    login(again, "leader1")
    response = again.post(
        reverse("accounts:otp_verify"), {"token": codes[0].upper().replace("-", " ")}
    )
    assert response.status_code == 302
    assert reaches_home(again)
    assert RecoveryCode.objects.filter(device__user=leader).count() == 9
    used = events("auth.otp_recovery_used", user=leader, result="success").get()
    assert used.postchange_data == {"method": "recovery_code", "recovery_codes_left": 9}

    third = browser("10.2.2.3")
    login(third, "leader1")
    response = third.post(reverse("accounts:otp_verify"), {"token": codes[0]})
    assert "不正确" in response.content.decode()


@NO_THROTTLE
def test_regenerate_recovery_codes(leader):
    client = browser()
    login(client, "leader1")
    old = enroll(client, leader)
    response = client.post(reverse("accounts:otp_codes"))
    new = CODE.findall(response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.objects.filter(device__user=leader).count() == 10
    assert events("auth.otp_recovery_regenerate", user=leader).count() == 1
    # The old codes are void, the new ones work.
    client.post(reverse("accounts:logout"))
    again = browser("10.2.2.4")
    login(again, "leader1")
    assert again.post(reverse("accounts:otp_verify"), {"token": old[0]}).status_code == 200
    assert again.post(reverse("accounts:otp_verify"), {"token": new[0]}).status_code == 302


# Required and optional roles -----------------------------------------------------------------
@pytest.mark.parametrize(
    "role",
    [Role.BUREAU_ADMIN, Role.LEADER, Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN],
)
def test_required_roles(role):
    make_account("someone", role)
    client = browser()
    login(client, "someone")
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:otp_enroll"))


@pytest.mark.parametrize("role", [Role.UNIT_ADMIN, Role.SURVEYOR, Role.SUPERVISOR])
def test_optional_roles_are_not_blocked(role):
    make_account("someone", role)
    client = browser()
    login(client, "someone")
    assert reaches_home(client)
    assert client.get(reverse("accounts:otp")).status_code == 200


@override_settings(OTP_REQUIRED_ROLES=["unit_admin"])
def test_required_roles_are_a_setting(unit_user, leader):
    client = browser()
    login(client, "unit1")
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:otp_enroll"))
    other = browser("10.1.1.9")
    login(other, "leader1")
    assert reaches_home(other)


@NO_THROTTLE
def test_optional_role_may_enrol_and_then_must_verify_and_may_disable(unit_user):
    client = browser()
    login(client, "unit1")
    enroll(client, unit_user)
    other = browser("10.1.1.8")
    login(other, "unit1")
    assert other.get(reverse("home"))["Location"].startswith(reverse("accounts:otp_verify"))
    client.post(reverse("accounts:otp_disable"))
    assert not TOTPDevice.objects.filter(user=unit_user).exists()
    assert events("auth.otp_disable", user=unit_user).count() == 1
    assert reaches_home(other)


@NO_THROTTLE
def test_required_role_may_not_disable(leader):
    client = browser()
    login(client, "leader1")
    enroll(client, leader)
    response = client.post(reverse("accounts:otp_disable"), follow=True)
    assert "不能解除" in response.content.decode()
    assert TOTPDevice.objects.filter(user=leader, confirmed=True).exists()


# A leader without a second factor reaches nothing but enrolment ------------------------------
def _concrete(prefix: str, pattern) -> str:
    """A URL that the pattern matches, with 1 for every parameter (json for a format)."""
    if hasattr(pattern, "_route"):
        route = re.sub(
            r"<(?:\w+:)?(\w+)>", lambda m: "json" if m[1] == "format" else "1", pattern._route
        )
        return prefix + route
    regex = pattern._regex.lstrip("^").rstrip("$")
    regex = re.sub(r"\(\?P<format>[^)]*\)", "json", regex)
    regex = re.sub(r"\(\?P<\w+>[^)]*\)", "1", regex)
    regex = regex.replace("\\.", ".").replace("/?", "/")
    return prefix + regex


def every_url(patterns=None, prefix: str = "/") -> list[str]:
    urls = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            urls += every_url(entry.url_patterns, _concrete(prefix, entry.pattern))
        elif isinstance(entry, URLPattern):
            urls.append(_concrete(prefix, entry.pattern))
    return urls


def test_leader_without_second_factor_reaches_only_enrolment(leader):
    client = browser()
    login(client, "leader1")
    enroll_url = reverse("accounts:otp_enroll")
    urls = every_url()
    assert len(urls) > 80
    reached = []
    for url in urls:
        resolve(url)  # every pattern of the URLconf, as a URL it matches
        if url == reverse("accounts:logout"):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if url == enroll_url:
                assert response.status_code == 200
            elif url == reverse("accounts:login"):
                # Allowed, but a signed-in account is sent on (and from there to enrolment).
                assert response.status_code in (200, 302)
            elif url.startswith("/api/"):
                assert response.status_code == 403, (method, url, response.status_code)
                assert "双因素认证" in response.json()["detail"]
            elif response.status_code != 302 or not response["Location"].startswith(enroll_url):
                reached.append((method, url, response.status_code))
    assert reached == []
    # Static files stay reachable.
    assert client.get("/static/gongfang/favicon.svg").status_code in (200, 404)
    assert client.get(reverse("home"))["Location"].startswith(enroll_url)


def test_htmx_requests_are_redirected_by_header(leader):
    client = browser()
    login(client, "leader1")
    response = client.get(reverse("registry:room_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:otp_enroll")
