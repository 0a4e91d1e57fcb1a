"""A floor plan uploaded on a floor's page opens for the floor's users and answers 404 to
another organization's account (issue 12: the plan's link used to answer 404 to everyone)."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from PIL import Image

from gongfang.accounts.roles import Role
from gongfang.archives.models import Document
from gongfang.registry.tests.world import build_world, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    """The session of a signed-in account (password and second factor passed), in the browser."""
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def plan_png(path) -> None:
    image = Image.new("RGB", (320, 200), "white")
    for x in range(20, 300, 70):
        image.paste((40, 90, 160), (x, 20, x + 4, 180))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())


def test_upload_a_floor_plan_open_it_and_another_org_gets_404(
    live_server, page, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    world = build_world()
    a = world.a
    owner = make_user("e2e_unit_a", [Role.UNIT_ADMIN], scope_organization=a.org)
    stranger = make_user("e2e_unit_b", [Role.UNIT_ADMIN], scope_organization=world.b.org)
    upload = tmp_path / "三层平面图.png"
    plan_png(upload)

    sign_in(page, live_server, owner)
    floor_url = live_server.url + a.floor.get_absolute_url()
    page.goto(floor_url)
    page.get_by_text("上传平面图或资料").click()
    form = page.locator("form[action$='/archives/documents/upload/']")
    assert form.locator("select[name=category] option:checked").inner_text() == "平面图"
    form.locator("input[name=file]").set_input_files(str(upload))
    form.get_by_role("button", name="上传").click()
    page.wait_for_url(re.compile(re.escape(a.floor.get_absolute_url()) + "$"))
    assert "已上传档案资料" in page.content()

    plan = Document.objects.get()
    assert plan.original_name == "三层平面图.png"
    preview = page.locator("img.gf-plan-preview")
    preview.wait_for()
    assert preview.evaluate("img => img.complete && img.naturalWidth === 320")
    file_url = f"{live_server.url}/archives/documents/{plan.pk}/file/"
    opened = page.request.get(file_url)
    assert opened.status == 200
    assert opened.headers["content-type"] == "image/png"
    assert opened.headers["x-content-type-options"] == "nosniff"
    assert "filename*=utf-8''" in opened.headers["content-disposition"]

    # The link in the panel opens the plan in the browser.
    with page.expect_popup() as popup:
        page.locator("#documents").get_by_role("link", name="打开").first.click()
    shown = popup.value
    shown.wait_for_load_state()
    assert shown.url == file_url
    shown.close()

    sign_in(page, live_server, stranger)
    assert page.request.get(file_url).status == 404
    assert page.goto(floor_url).status == 404
