"""A room lent through approval, in the browser: the 市教育局 administrator applies from the room's
page to lend it to a sub-unit, the 枣庄市 bureau approves, the leader signs with password and
authenticator code, and the room shows 出借 with no R8 warning (the loan is approved)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef

from gongfang.accounts.models import User
from gongfang.compliance.models import ACTIVE_STATES, Warning
from gongfang.framework import clock
from gongfang.framework.services import service_for
from gongfang.registry.choices import RoomStatus
from gongfang.registry.models import Occupancy, Organization, Room
from gongfang.workflow.choices import CaseState
from gongfang.workflow.models import Case

from .signin import PASSWORD, code, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city(db):
    call_command("load_demo", profile="small", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_a_room_lent_through_approval_shows_lent_without_r8(live_server, page, demo_city):
    unit_admin = User.objects.get(username="unit_admin")
    education = unit_admin.scope_organization
    # The borrower: a sub-unit of 市教育局 (a unit administrator names units of its own scope).
    borrower, _ = service_for(Organization).create(
        actor=User.objects.get(username="zz_bureau"),
        data={
            "name": "枣庄市教育招生考试中心",
            "short_name": "市招生考试中心",
            "kind": education.kind,
            "level": education.level,
            "parent": education,
            "region": education.region,
        },
    )
    occupied = Occupancy.objects.filter(ended_on__isnull=True, room=OuterRef("pk"))
    room = (
        Room.objects.filter(organization=education, status=RoomStatus.IN_USE)
        .exclude(pk__in=Warning.objects.filter(room__isnull=False).values("room_id"))
        .annotate(occupied=Exists(occupied))
        .order_by("occupied", "pk")
        .first()
    )
    assert room is not None
    today = clock.today()

    # 1. The unit administrator applies from the room's page.
    sign_in(page, live_server.url, "unit_admin")
    page.goto(f"{live_server.url}{room.get_absolute_url()}")
    page.click("a[href*='/cases/new/?room=']")
    page.wait_for_url(re.compile(r"/cases/new/\?room="))
    page.click("a.card:has-text('出借')")
    page.wait_for_url(re.compile(r"/cases/new/lend/"))
    assert str(room) in page.content()  # the room is prefilled
    # The borrower from the scoped API (tom-select): type, then pick the offered unit.
    control = page.locator("#id_borrower-ts-control")
    control.wait_for()
    control.fill("招生")
    page.locator(".ts-dropdown .option", has_text="招生考试中心").first.click()
    page.fill("input[name=starts_on]", today.isoformat())
    page.fill("input[name=ends_on]", today.replace(year=today.year + 1).isoformat())
    page.fill("input[name=agreement_number]", "教借〔2026〕1号")
    page.fill("textarea[name=reason]", "招生考试期间临时办公用房不足，借用一年。")
    with page.expect_navigation():
        page.click("button[name=submit]")
    errors = page.locator(".alert-danger, .invalid-feedback").all_inner_texts()
    assert re.search(r"/cases/\d+/$", page.url), errors
    case = Case.objects.get(pk=int(re.search(r"/cases/(\d+)/", page.url)[1]))
    assert case.state == CaseState.SUBMITTED and case.number
    assert case.kind == "lend" and case.counterparty_id == borrower.pk

    # 2. The bureau approves (its to-do names the case).
    sign_in(page, live_server.url, "zz_bureau")
    page.goto(f"{live_server.url}/cases/todo/")
    page.click(f"a:has-text('{case.number}')")
    page.wait_for_url(re.compile(rf"/cases/{case.pk}/$"))
    page.click("button:has-text('办理')")
    dialog = page.locator("#decide-dialog")
    dialog.wait_for(state="visible")
    dialog.locator("label:has-text('同意')").click()
    with page.expect_navigation():
        dialog.locator("button[type=submit]").click()
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW

    # 3. The leader signs: password and a code again (the login's code is used up).
    sign_in(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/cases/todo/")
    page.click(f"a:has-text('{case.number}')")
    page.wait_for_url(re.compile(rf"/cases/{case.pk}/$"))
    page.click("button:has-text('办理并签批')")
    dialog = page.locator("#decide-dialog")
    dialog.wait_for(state="visible")
    dialog.locator("label:has-text('同意')").click()
    dialog.locator("input[name=decide-password]").fill(PASSWORD)
    dialog.locator("input[name=decide-otp]").fill(
        code(User.objects.get(username="leader"), later=True)
    )
    with page.expect_navigation():
        dialog.locator("button[type=submit]").click()
    case.refresh_from_db()
    assert case.state == CaseState.APPLIED, page.locator(".alert").all_inner_texts()
    assert case.signatures.get().signer.username == "leader"

    # 4. The room is 出借, and no R8 warning stands on it.
    room.refresh_from_db()
    assert room.status == RoomStatus.LENT
    assert not Warning.objects.filter(room=room, rule="R8", state__in=ACTIVE_STATES).exists()
    sign_in(page, live_server.url, "zz_bureau", later=True)
    page.goto(f"{live_server.url}{room.get_absolute_url()}")
    content = page.locator("main, .page-body").first.inner_text()
    assert "出借" in content
    assert "R8" not in content
    page.screenshot(path="/tmp/gongfang-e2e-lend.png", full_page=True)
