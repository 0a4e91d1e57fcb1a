"""A bureau administrator logs in with password and authenticator code, drills down from the
dashboard to a room, changes its usable area, and sees who changed it, from what, to what, in
the room's 变更记录."""

from __future__ import annotations

import re
from decimal import Decimal

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


def test_drill_down_and_change_a_room_area(live_server, page, demo_city):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url

    page.fill("input[name=username]", "zz_bureau")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    # A bureau account has a second factor (load_demo gives it an authenticator): the code its
    # app would show now.
    page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
    device = totp_device(User.objects.get(username="zz_bureau"))
    page.fill("input[name=token]", current_code(device))
    page.click("button[type=submit]")

    # The dashboard: headline figures of 枣庄市 and one row per district (the small demo city
    # fills 市中区 and 薛城区).
    district = page.locator("table a", has_text="市中区").first
    district.wait_for()
    assert "管辖范围" in page.content() or "枣庄市" in page.content()
    district.click()
    page.wait_for_url(re.compile(r"region=370402"))

    # From the district's row count to its room list, then to the first room.
    page.locator("a[href*='/rooms/?']").first.click()
    page.wait_for_url(re.compile(r"/rooms/\?"))
    page.locator("table tbody tr a[href^='/rooms/']").first.click()
    page.wait_for_url(re.compile(r"/rooms/\d+/$"))
    room_id = int(re.search(r"/rooms/(\d+)/", page.url).group(1))
    room = Room.objects.select_related("floor__building__compound__region").get(pk=room_id)
    assert room.floor.building.compound.region.path.startswith("370000/370400/370402/")
    breadcrumb = page.locator(".breadcrumb").inner_text()
    assert room.floor.building.compound.name in breadcrumb

    old_area = room.usable_area
    new_area = (old_area - Decimal("0.50")).quantize(Decimal("0.01"))
    page.click(f"a[href='/rooms/{room_id}/edit/']")
    page.fill("input[name=usable_area]", str(new_area))
    page.click("button:has-text('保存')")
    page.wait_for_url(re.compile(rf"/rooms/{room_id}/$"))

    room.refresh_from_db()
    assert room.usable_area == new_area
    changes = page.locator("#changes").inner_text()
    assert "zz_bureau" in changes
    assert f"{old_area}" in changes and f"{new_area}" in changes
    page.screenshot(path="/tmp/gongfang-e2e-room.png", full_page=True)
