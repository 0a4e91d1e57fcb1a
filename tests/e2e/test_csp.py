"""In a real browser, the Content-Security-Policy blocks nothing on the main pages: no inline
script, no inline style, no resource from elsewhere — and the pages still work (tom-select,
htmx tables, the enrolment QR code, Swagger UI)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from gongfang.accounts.models import User
from gongfang.accounts.otp import current_code, totp_device
from gongfang.registry.models import Room

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Demo@2026!"


@pytest.fixture
def demo_city(db):
    call_command("load_demo", profile="small", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_nothing_is_blocked_by_the_policy(live_server, page, demo_city):
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "zz_bureau")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
    page.fill(
        "input[name=token]", current_code(totp_device(User.objects.get(username="zz_bureau")))
    )
    page.click("button[type=submit]")
    page.locator("table a", has_text="市中区").first.wait_for()

    room = Room.objects.order_by("pk").first()
    pages = [
        "/rooms/?per_page=25",
        f"/rooms/{room.pk}/",
        f"/rooms/{room.pk}/edit/",
        "/accounts/password/",
        "/accounts/2fa/",
        "/accounts/2fa/enroll/",
        "/accounts/sessions/",
        "/accounts/tokens/",
        "/ledger/",
    ]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")

    # The enrolment QR code (a data: image) has been drawn.
    page.goto(f"{live_server.url}/accounts/2fa/enroll/")
    assert page.locator("img[src^='data:image/svg+xml']").evaluate("img => img.naturalWidth") > 0

    # tom-select started on the room form (script from our static files, options from the API).
    page.goto(f"{live_server.url}/rooms/{room.pk}/edit/")
    page.locator(".ts-wrapper").first.wait_for()

    # htmx reloads a table in place.
    page.goto(f"{live_server.url}/rooms/?per_page=25")
    page.locator("table tbody tr").first.wait_for()

    # Swagger UI renders the schema without inline script.
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info").first.wait_for(timeout=20_000)

    assert violations == []
