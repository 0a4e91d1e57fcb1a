"""On site with a phone (390 px): the supervisor on the team records a checklist result and a
measured area on the inspection's phone page; the bureau accepts the area, which reaches the room
through the registry (source 实地测量) and its change log."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from gongfang.accounts.models import User
from gongfang.accounts.otp import current_code, totp_device
from gongfang.inspections.models import Inspection, Measurement
from gongfang.registry.models import Room

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Demo@2026!"


@pytest.fixture
def demo_city(db):
    call_command("load_demo", profile="small", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def login(page, base: str, username: str) -> None:
    page.context.clear_cookies()  # one browser context: start from no session
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/2fa/verify/" in page.url:
        page.fill(
            "input[name=token]", current_code(totp_device(User.objects.get(username=username)))
        )
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")


def test_phone_checklist_and_measured_area(live_server, browser, demo_city):
    inspection = Inspection.objects.filter(plan__kind="special", state="in_progress").first()
    assert inspection is not None, "the demo has a special inspection in progress"
    room = (
        Room.objects.filter(organization__path__startswith=inspection.organization.path)
        .exclude(measurements__isnull=False)
        .order_by("pk")
        .first()
    )
    phone = browser.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    login(phone, live_server.url, "supervisor")
    site = f"{live_server.url}/inspections/{inspection.pk}/site/"
    phone.goto(site)
    # Small: no framework stylesheet or script on the phone page.
    assert phone.locator("link[href*='tabler'], script").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    card = phone.locator("section.card").first
    card.locator("label", has_text="不符合").click()
    card.locator("textarea[name=note]").fill("档案室改作办公室，未经审批")
    card.locator("button", has_text="保存").click()
    phone.locator(".msg", has_text="已记录").wait_for()
    check = inspection.item_checks.get(item__target="organization", item__aspect=1)
    assert (check.result, check.note) == ("fail", "档案室改作办公室，未经审批")

    phone.click("text=房间")
    phone.fill("input[name=q]", room.number)
    phone.click("button:has-text('查找')")
    phone.wait_for_url(re.compile(r"tab=rooms"))
    form = phone.locator(f"form:has(input[name=room][value='{room.pk}'])")
    form.locator("input[name=measured_area]").fill("12.34")
    form.locator("button", has_text="记录").click()
    phone.locator(".msg", has_text="实测 12.34").wait_for()
    measurement = Measurement.objects.get(room=room, inspection=inspection)
    assert Room.objects.get(pk=room.pk).usable_area == room.usable_area  # nothing written yet
    phone.close()

    desk = browser.new_page()
    desk.set_viewport_size({"width": 1366, "height": 900})
    login(desk, live_server.url, "zz_bureau")
    desk.goto(f"{live_server.url}/inspections/measurements/{measurement.pk}/")
    desk.click("button:has-text('采纳')")
    desk.locator(".alert", has_text="已采纳").first.wait_for()
    assert Room.objects.get(pk=room.pk).usable_area == Decimal("12.34")
    desk.goto(f"{live_server.url}/rooms/{room.pk}/")
    assert "采纳实地测量面积" in desk.locator("#changes").inner_text()
    desk.close()
