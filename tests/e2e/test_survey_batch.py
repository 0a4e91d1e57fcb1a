"""A survey batch in the browser: the surveyor imports a DXF floor and submits it, the unit, the
surveyor and the bureau confirm every room and sign (password + authenticator), the batch
applies, and the room's page shows the measured area.

The floor-plan SVG page is another helper's; the new area is asserted on the room's page and the
floor's room list.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from gongfang.accounts.models import User
from gongfang.accounts.otp import current_code, provision_device, totp_device
from gongfang.accounts.roles import Role
from gongfang.registry.models import Room
from gongfang.registry.tests import factories as rf
from gongfang.registry.tests.world import build_world
from gongfang.survey import services
from gongfang.survey.drawings.samples import office_floor_dxf
from gongfang.survey.models import BatchState, SurveyBatch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Survey@2026pass"


def account(username: str, role: str, **scope) -> User:
    user = User.objects.create_user(username, PASSWORD, name=username, roles=[role], **scope)
    provision_device(user=user)
    return user


def fresh_code(user: User) -> str:
    """The authenticator's current code, usable again: the same person signs in and signs
    within one 30-second step several times in this test (a device refuses a code used)."""
    device = totp_device(user)
    type(device).objects.filter(pk=device.pk).update(last_t=-1, drift=0)
    return current_code(device)


def sign_in(page, url: str, user: User) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
    page.fill("input[name=token]", fresh_code(user))
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/" not in page.url, page.url


def test_surveyor_imports_parties_confirm_and_sign_batch_applies(live_server, page, tmp_path):
    world = build_world()
    a = world.a
    rf.RoomFactory(floor=a.floor, number="102", organization=a.org)
    rf.RoomFactory(floor=a.floor, number="103", organization=a.org)
    bureau = account("bureau_e2e", Role.BUREAU_ADMIN, scope_region=a.region)
    unit = account("unit_e2e", Role.UNIT_ADMIN, scope_organization=a.org)
    surveyor = account("surveyor_e2e", Role.SURVEYOR, scope_region=a.region)
    batch, _ = services.SurveyBatchService().create(
        actor=bureau,
        data={
            "name": "行政中心1号楼测绘",
            "region": a.region,
            "company": "枣庄市勘察测绘院",
            "drawings_by": "枣庄市勘察测绘院",
            "responsible": "孙建华",
            "planned_start": datetime.date(2026, 11, 1),
            "planned_end": datetime.date(2026, 12, 31),
            "buildings": [a.building],
            "surveyors": [surveyor],
        },
    )
    url = live_server.url
    batch_url = f"{url}{batch.get_absolute_url()}"
    drawing = tmp_path / "一层平面图.dxf"
    # 101 is measured at 18.9 m² (registered 18.00: 5 % more, beyond R9's 3 %).
    drawing.write_bytes(
        office_floor_dxf(
            [("101", "办公室", 18.9), ("102", "办公室", 18.0), ("103", "办公室", 18.0)]
        )
    )

    # The surveyor imports the floor's DXF and submits it.
    sign_in(page, url, surveyor)
    page.goto(batch_url)
    page.select_option("select[name=upload-floor]", str(a.floor.pk))
    page.set_input_files("input[name=upload-file]", str(drawing))
    page.click("#upload-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "识别出 3 个房间" in page.content()
    assert "table-danger" in page.locator("tr[data-item='101']").get_attribute("class")
    page.click("text=提交三方确认")
    page.wait_for_load_state("networkidle")
    assert "已提交三方确认" in page.content()

    # Each party confirms every room.
    for user in (surveyor, unit, bureau):
        if user is not surveyor:
            sign_in(page, url, user)
            page.goto(batch_url)
        page.click("#confirm-all")
        page.wait_for_load_state("networkidle")
        assert "已确认" in page.content(), page.content()[:2000]
    assert SurveyBatch.objects.get(pk=batch.pk).state == BatchState.SIGNING

    # Each principal signs in the dialog; the last signature applies the batch.
    for user in (bureau, unit, surveyor):
        if user is not bureau:
            sign_in(page, url, user)
        page.goto(batch_url)
        page.click("button[data-bs-target='#sign-dialog']")
        page.wait_for_selector("#sign-dialog.show")
        page.fill("#sign-dialog input[name=sign-password]", PASSWORD)
        page.fill("#sign-dialog input[name=sign-otp]", fresh_code(user))
        page.click("#sign-dialog button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "已签字" in page.content(), page.content()[:2000]
    assert "测绘成果已入账" in page.content()
    assert SurveyBatch.objects.get(pk=batch.pk).state == BatchState.APPLIED

    # The room's page and the floor's room list show the measured area.
    room = Room.objects.get(floor=a.floor, number="101")
    assert str(room.usable_area) == "18.90"
    page.goto(f"{url}{room.get_absolute_url()}")
    assert "18.90" in page.content()
    page.goto(f"{url}{reverse('registry:floor', args=[a.floor.pk])}")
    assert "18.90" in page.content()
