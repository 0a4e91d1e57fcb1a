"""The floor plan drawn as SVG: colour modes switch without a reload, the hover card shows the
room, a click opens it, and on a 390 px phone the page does not scroll sideways."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from gongfang.accounts.roles import Role
from gongfang.compliance.models import Rule, Subject, Warning
from gongfang.registry import floorplan
from gongfang.registry.choices import RoomCategory, RoomStatus
from gongfang.registry.models import Compound, Room
from gongfang.registry.tests import factories as f
from gongfang.registry.tests.world import build_world, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def square(x: float, side: float) -> dict:
    ring = [[x, 0], [x + side, 0], [x + side, side], [x, side], [x, 0]]
    return {"type": "Polygon", "coordinates": [ring]}


def fill_of(page, number: str) -> str:
    return page.locator(f'.gf-plan-room[data-number="{number}"] path').get_attribute("fill")


def test_modes_hover_click_and_phone(live_server, page):
    world = build_world()
    a = world.a
    Room.objects.filter(pk=a.room.pk).update(geometry=square(0, 5))
    idle = f.RoomFactory(
        floor=a.floor,
        number="102",
        name="小会议室",
        organization=a.org,
        category=RoomCategory.SERVICE,
        subtype="会议室",
        status=RoomStatus.IDLE,
        geometry=square(6, 4),
    )
    Warning.objects.create(
        rule=Rule.R1,
        key=f"R1:room:{a.room.pk}",
        subject=Subject.ROOM,
        region=a.region,
        organization=a.org,
        room=a.room,
        subject_label="101",
        summary="超标",
        excess_area=Decimal("2.50"),
    )
    bureau = make_user("e2e_bureau", [Role.BUREAU_ADMIN], scope_region=a.region)
    sign_in(page, live_server, bureau)
    page.goto(live_server.url + a.floor.get_absolute_url())

    assert fill_of(page, "102") == floorplan.CATEGORY_COLORS[RoomCategory.SERVICE]
    page.locator('[data-plan-mode="status"]').click()
    assert fill_of(page, "102") == floorplan.STATUS_COLORS[RoomStatus.IDLE]
    assert page.locator('[data-plan-legend="status"]').is_visible()
    assert not page.locator('[data-plan-legend="category"]').is_visible()
    assert "mode=status" in page.url
    assert "mode=status" in page.get_by_text("导出 PDF").get_attribute("href")
    page.locator('[data-plan-mode="compliance"]').click()
    assert fill_of(page, "101") == floorplan.OVER_STANDARD
    assert page.locator(".gf-plan-excess").first.is_visible()
    assert page.locator(".gf-plan-excess").first.text_content() == "+2.50 m²"

    page.locator('.gf-plan-room[data-number="102"] path').hover()
    card = page.locator("[data-plan-hover]")
    assert card.is_visible()
    assert "102 小会议室" in card.inner_text()
    assert "使用面积：18.00 m²" in card.inner_text()
    page.locator('.gf-plan-room[data-number="101"] path').hover()
    assert "超标面积：2.50 m²" in card.inner_text()
    assert a.person.name in card.inner_text()

    def view_box() -> list[float]:
        return [
            float(v) for v in page.locator("svg[data-plan-svg]").get_attribute("viewBox").split()
        ]

    before = view_box()
    page.get_by_role("button", name="放大").click()
    assert view_box()[2] < before[2]  # narrower: zoomed in
    page.get_by_role("button", name="复位").click()
    assert view_box() == before

    page.locator('.gf-plan-room[data-number="102"] path').click()
    page.wait_for_url(re.compile(re.escape(idle.get_absolute_url()) + "$"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + a.floor.get_absolute_url())
    assert page.locator("svg[data-plan-svg]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(live_server.url + a.building.get_absolute_url())
    assert page.get_by_text("楼层房间分布").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(live_server.url + "/rooms/")
    assert page.locator("td[data-label='房间号']").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_map_points_card_and_policy(live_server, page):
    """The offline map draws the compounds, opens a compound's card with its floors, and the
    Content-Security-Policy blocks nothing of Leaflet's (on the map and the floor page)."""
    world = build_world()
    a = world.a
    Compound.objects.filter(pk=a.compound.pk).update(lat="35.08", lng="117.15")
    Compound.objects.filter(pk=world.b.compound.pk).update(lat="34.86", lng="117.56")
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    bureau = make_user("e2e_map", [Role.BUREAU_ADMIN], scope_region=world.city)
    sign_in(page, live_server, bureau)
    page.goto(live_server.url + "/map/")
    points = page.locator("path.gf-map-point")
    points.first.wait_for()
    assert points.count() == 2
    assert page.locator(".gf-map-label").count() == 2
    assert page.locator(".gf-map-legend").is_visible()
    points.first.click(force=True)
    floor_link = page.locator(".leaflet-popup-content a[href*='/floors/']").first
    floor_link.wait_for()
    assert "1号楼" in page.locator(".leaflet-popup-content").inner_text()
    floor_link.click()
    page.wait_for_url(re.compile(r"/floors/\d+/$"), wait_until="domcontentloaded")
    page.locator("svg[data-plan-svg]").wait_for()
    assert page.get_by_text("示意图（按登记面积，非实测）").is_visible()  # no geometry here
    assert not violations, violations
