"""The client's address for lockout, sessions and the audit trail (issue 9, point 5): forwarding
headers count only from a configured proxy; anyone else's are ignored."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from django.urls import reverse

from ...accounts.roles import Role
from ...accounts.tests.conftest import PASSWORD, browser, events, make_account
from ..middleware import client_address

PROXIES = ["10.0.0.2", "192.168.50.0/24", "fd00::/8"]


def address(remote: str | None = "198.51.100.7", **headers: str) -> str | None:
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    request = RequestFactory().get("/", **meta)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    return client_address(request)


@override_settings(TRUSTED_PROXIES=PROXIES)
@pytest.mark.parametrize(
    ("remote", "headers", "expected"),
    [
        # Not from a proxy: the socket address, whatever the headers say.
        ("198.51.100.7", {}, "198.51.100.7"),
        ("198.51.100.7", {"X-Real-IP": "1.2.3.4"}, "198.51.100.7"),
        ("198.51.100.7", {"X-Forwarded-For": "1.2.3.4"}, "198.51.100.7"),
        ("10.0.0.3", {"X-Forwarded-For": "1.2.3.4"}, "10.0.0.3"),  # next to a proxy, not one
        # From a proxy: the right-most hop that is not a proxy itself.
        ("10.0.0.2", {"X-Forwarded-For": "203.0.113.9"}, "203.0.113.9"),
        ("10.0.0.2", {"X-Forwarded-For": "6.6.6.6, 203.0.113.9"}, "203.0.113.9"),
        ("10.0.0.2", {"X-Forwarded-For": "6.6.6.6, 203.0.113.9, 192.168.50.4"}, "203.0.113.9"),
        ("192.168.50.9", {"X-Forwarded-For": "203.0.113.9,10.0.0.2"}, "203.0.113.9"),
        # Only proxies in the chain: the first of them.
        ("10.0.0.2", {"X-Forwarded-For": "192.168.50.4, 10.0.0.2"}, "192.168.50.4"),
        # X-Real-IP when there is no X-Forwarded-For.
        ("10.0.0.2", {"X-Real-IP": "203.0.113.9"}, "203.0.113.9"),
        ("10.0.0.2", {"X-Real-IP": "not-an-address"}, "10.0.0.2"),
        ("10.0.0.2", {}, "10.0.0.2"),
        # Malformed entries end the walk at the last good hop; never an error.
        ("10.0.0.2", {"X-Forwarded-For": "203.0.113.9, garbage"}, "10.0.0.2"),
        ("10.0.0.2", {"X-Forwarded-For": "1.2.3.4, garbage, 192.168.50.4"}, "192.168.50.4"),
        ("10.0.0.2", {"X-Forwarded-For": "unknown"}, "10.0.0.2"),
        ("10.0.0.2", {"X-Forwarded-For": " , "}, "10.0.0.2"),
        # Forms proxies write: with a port, bracketed IPv6, IPv6.
        ("10.0.0.2", {"X-Forwarded-For": "203.0.113.9:51234"}, "203.0.113.9"),
        ("10.0.0.2", {"X-Forwarded-For": "[2001:db8::5]:443"}, "2001:db8::5"),
        ("fd00::1", {"X-Forwarded-For": "2001:db8::5"}, "2001:db8::5"),
        ("::ffff:10.0.0.2", {"X-Forwarded-For": "203.0.113.9"}, "203.0.113.9"),
        # No socket address (a test client, a Unix socket): unknown.
        (None, {"X-Real-IP": "1.2.3.4"}, None),
        ("", {"X-Real-IP": "1.2.3.4"}, None),
    ],
)
def test_client_address(remote, headers, expected):
    assert address(remote, **headers) == expected


def test_without_trusted_proxies_headers_never_count():
    assert address("127.0.0.1", **{"X-Real-IP": "1.2.3.4", "X-Forwarded-For": "5.6.7.8"}) == (
        "127.0.0.1"
    )


@override_settings(TRUSTED_PROXIES=["10.0.0.300"])
def test_a_wrong_trusted_proxy_setting_is_named():
    with pytest.raises(ImproperlyConfigured) as exc:
        address("10.0.0.2")
    assert str(exc.value) == (
        "设置 TRUSTED_PROXIES 中的“10.0.0.300”不是有效的 IP 地址或网段（如 10.0.0.5、10.0.0.0/24）。"
    )


# Lockout and audit with forged headers -------------------------------------------------------
SOCKET = "198.51.100.23"


def login(client, username: str, password: str = PASSWORD, **headers: str):
    """The login form, posted with the given request headers (``X_REAL_IP="…"``)."""
    meta = {f"HTTP_{name}": value for name, value in headers.items()}
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **meta
    )


def failures() -> list[str]:
    return list(
        events("auth.login_failed", result="failure")
        .order_by("pk")
        .values_list("remote_addr", flat=True)
    )


@pytest.mark.real_auth
@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.2"])
def test_forged_headers_neither_escape_the_lockout_nor_enter_the_audit():
    """40 failed logins, each with a fresh forged address under fresh account names: the
    socket's address is locked after five, and the audit trail names it every time."""
    client = browser(SOCKET)
    statuses = []
    for n in range(40):
        forged = f"203.0.113.{n + 1}"
        response = login(
            client,
            f"guess{n}",
            "Wrong#Pass999",
            X_REAL_IP=forged,
            X_FORWARDED_FOR=f"{forged}, 10.0.0.2",
        )
        statuses.append(response.status_code)
    assert statuses == [200] * 4 + [429] * 36
    assert failures() == [SOCKET] * 40
    assert {row.remote_addr for row in events("auth.lockout")} == {SOCKET}

    # The real account is refused from that address even with the right password.
    make_account("unit1", Role.UNIT_ADMIN)
    assert login(client, "unit1", X_REAL_IP="203.0.113.200").status_code == 429


@pytest.mark.real_auth
@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.2"])
def test_behind_a_trusted_proxy_the_forwarded_address_counts():
    make_account("unit1", Role.UNIT_ADMIN)
    proxy = browser("10.0.0.2")
    for n in range(5):
        login(proxy, f"guess{n}", "Wrong#Pass999", X_FORWARDED_FOR="6.6.6.6, 203.0.113.50")
    assert failures() == ["203.0.113.50"] * 5
    # That client is locked out; another behind the same proxy is not.
    assert login(proxy, "unit1", X_FORWARDED_FOR="203.0.113.50").status_code == 429
    other = browser("10.0.0.2")
    response = login(other, "unit1", X_FORWARDED_FOR="203.0.113.51")
    assert response.status_code == 302
    assert events("auth.login").get().remote_addr == "203.0.113.51"
