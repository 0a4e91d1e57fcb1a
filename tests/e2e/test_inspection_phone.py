"""On site, at phone size (390 px): the inspector measures a room and records a finding about it
with a photo; the unit answers with evidence from its to-do; the inspector re-checks and closes
the finding."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.test import Client

from gongfang.accounts.roles import Role
from gongfang.accounts.testing import complete_login
from gongfang.framework import clock
from gongfang.inspections.models import Checklist, Finding, Inspection, InspectionPlan, Measurement
from gongfang.registry.tests.world import build_world, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def sign_in(page, live_server, user) -> None:
    """The session of a signed-in account (password and second factor passed), in the browser."""
    client = Client()
    client.force_login(user)
    complete_login(client, user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def png(color: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def test_finding_on_site_rectified_and_closed(live_server, page, private_media):
    world = build_world()
    a = world.a
    inspector = make_user("e2e_inspector", [Role.BUREAU_ADMIN], scope_region=a.region)
    unit = make_user("e2e_unit", [Role.UNIT_ADMIN], scope_organization=a.org)
    today = clock.today()
    plan = InspectionPlan.objects.create(
        kind="special",
        year=today.year,
        title="办公用房专项检查",
        region=a.region,
        checklist=Checklist.objects.get(revision=1),
        start_on=today.replace(month=1, day=1),
        end_on=today.replace(month=12, day=31),
    )
    plan.team.set([inspector])
    inspection = Inspection.objects.create(
        plan=plan,
        organization=a.org,
        region=a.region,
        checklist=plan.checklist,
        scheduled_on=today,
        state="in_progress",
    )
    inspection.inspectors.set([inspector])
    page.set_viewport_size(PHONE)

    # On site: the room's measured area, then a finding about it with a photo.
    sign_in(page, live_server, inspector)
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/site/?tab=rooms")
    page.get_by_label(f"{a.room.number} 实测使用面积").fill("21.30")
    page.get_by_role("button", name="记录").first.click()
    page.wait_for_load_state()
    measurement = Measurement.objects.get(inspection=inspection)
    assert measurement.room == a.room and str(measurement.measured_area) == "21.30"

    page.get_by_role("link", name="记录问题/拍照").first.click()
    page.wait_for_url(re.compile(r"/inspections/findings/onsite/\?"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert a.room.number in page.locator(".fixed").inner_text()
    item = plan.checklist.items.get(target="organization", aspect=3)
    page.locator("select[name=item]").select_option(str(item.pk))
    page.locator("textarea[name=description]").fill("101 室实测 21.30 m²，出借给下属单位使用")
    page.locator(".seg label", has_text="限期整改").click()
    page.locator("input[name=deadline]").fill(str(today + datetime.timedelta(days=20)))
    page.locator("input[name=photos]").set_input_files(
        {"name": "现场.png", "mimeType": "image/png", "buffer": png("#2266aa")}
    )
    page.get_by_role("button", name="登记问题").click()
    page.wait_for_url(re.compile(rf"/inspections/{inspection.pk}/site/"))
    assert "已登记问题" in page.content()
    finding = Finding.objects.get()
    assert finding.subject_label == str(a.room)
    assert finding.item == item and finding.rectification_kind == "deadline"

    # The unit: its to-do shows the finding; it answers with evidence.
    sign_in(page, live_server, unit)
    page.goto(f"{live_server.url}/cases/todo/")
    page.get_by_role("link", name=re.compile("101 室实测")).click()
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    page.locator("form[action$='/respond/'] textarea[name=description]").fill(
        "已收回出借房间，恢复办公使用"
    )
    page.locator("form[action$='/respond/'] input[name=evidence]").set_input_files(
        {"name": "收回协议.png", "mimeType": "image/png", "buffer": png("#22aa66")}
    )
    page.get_by_role("button", name="提交整改情况").click()
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    assert "已反馈整改情况" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finding.refresh_from_db()
    assert finding.state == "responded"

    # The inspector re-checks and closes it.
    sign_in(page, live_server, inspector)
    page.goto(f"{live_server.url}/inspections/findings/{finding.pk}/")
    page.locator("label", has_text="整改到位，销号").click()
    page.locator("textarea[name=note]").fill("现场复查，已恢复办公使用")
    page.get_by_role("button", name="提交复查结论").click()
    page.wait_for_url(re.compile(rf"/inspections/findings/{finding.pk}/$"))
    assert "已复查：整改到位，销号" in page.content()
    finding.refresh_from_db()
    assert finding.state == "closed" and finding.closed_at is not None
    photos = page.locator("img.gf-evidence-photo")
    assert photos.count() == 2
    assert photos.first.evaluate("img => img.complete && img.naturalWidth > 0")
