"""A maintenance project from proposal to archive, in the browser: the 市教育局 administrator
proposes a 零星 project from its building's page and applies for approval; the 枣庄市 bureau
reviews, the leader signs; the unit files the contract, starts the works, reports progress,
records a payment, files the photos and records the acceptance; the bureau evaluates, files the
completion papers and archives; the building's page lists the archived project."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from gongfang.accounts.models import User
from gongfang.framework import clock
from gongfang.maintenance.models import MaintenanceProject
from gongfang.registry.models import Building
from gongfang.workflow.choices import CaseState

from .signin import PASSWORD, code, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city(db):
    call_command("load_demo", profile="small", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "#3a7bd5").save(buffer, format="PNG")
    return buffer.getvalue()


def upload(page, category: str, title: str) -> None:
    """File a paper through the project page's 档案资料 panel."""
    panel = page.locator("#documents")
    panel.locator("summary").click()
    panel.locator("select[name=category]").select_option(label=category)
    panel.locator("input[name=title]").fill(title)
    panel.locator("input[name=file]").set_input_files(
        {"name": f"{title}.png", "mimeType": "image/png", "buffer": png()}
    )
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    assert title in page.content(), page.locator(".alert").all_inner_texts()


def stage(page, button: str, fields: dict[str, str]) -> None:
    """Fill and send the stage form of the project page."""
    form = page.locator("form[action$='/stage/']")
    for name, value in fields.items():
        target = form.locator(f"[name={name}]")
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    with page.expect_navigation():
        form.locator(f"button:has-text('{button}')").click()


def test_a_project_runs_from_proposal_to_archive(live_server, page, demo_city):
    url = live_server.url
    unit_admin = User.objects.get(username="unit_admin")
    building = Building.objects.restrict(unit_admin, "view").order_by("pk").first()
    assert building is not None
    today = clock.today().isoformat()

    # 1. The unit proposes from its building's page and applies for approval.
    sign_in(page, url, "unit_admin")
    page.goto(f"{url}{building.get_absolute_url()}")
    with page.expect_navigation():
        page.click("a:has-text('申报维修项目')")
    page.select_option("select[name=kind]", "minor")
    page.fill("input[name=title]", "会议室漏水维修（测试）")
    page.fill("textarea[name=reason]", "会议室顶板渗水，影响使用。")
    page.fill("input[name=estimate]", "38000")
    page.fill("input[name=funding_source]", "单位自有资金")
    with page.expect_navigation():
        page.click("form button[type=submit]:has-text('保存')")
    invalid = page.locator(".is-invalid").evaluate_all("els => els.map(e => e.name)")
    assert not invalid, invalid
    assert "已新建维修项目" in page.content()
    project = MaintenanceProject.objects.get(title="会议室漏水维修（测试）")
    page.goto(f"{url}{project.get_absolute_url()}")
    assert (
        project.building_id == building.pk and project.organization == unit_admin.scope_organization
    )
    stage(page, "申请立项", {"amount": "38000"})
    project.refresh_from_db()
    case = project.case
    assert case.state == CaseState.SUBMITTED, page.locator(".alert").all_inner_texts()

    # 2. The bureau reviews, the leader signs: the project is 立项.
    sign_in(page, url, "zz_bureau")
    page.goto(f"{url}/cases/{case.pk}/")
    page.click("button:has-text('办理')")
    dialog = page.locator("#decide-dialog")
    dialog.wait_for(state="visible")
    dialog.locator("label:has-text('同意')").click()
    with page.expect_navigation():
        dialog.locator("button[type=submit]").click()
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW, page.locator(".alert").all_inner_texts()
    sign_in(page, url, "leader")
    page.goto(f"{url}/cases/{case.pk}/")
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
    project.refresh_from_db()
    assert project.stage == "approved", page.locator(".alert").all_inner_texts()

    # 3. The unit files the contract and starts; the gate refused it before the contract.
    sign_in(page, url, "unit_admin", later=True)
    page.goto(f"{url}{project.get_absolute_url()}")
    works = {
        "contractor": "枣庄市城建维修有限公司",
        "contract_amount": "36000",
        "start_on": today,
        "planned_end_on": today,
    }
    stage(page, "开始实施", works)
    alerts = " ".join(page.locator(".alert").all_inner_texts())
    assert "开始实施前须上传“施工合同（或维修协议）”" in alerts, alerts
    upload(page, "合同", "会议室维修协议")
    stage(page, "开始实施", works)
    project.refresh_from_db()
    assert project.stage == "in_progress", page.locator(".alert").all_inner_texts()

    # 4. Progress and a payment, shown side by side.
    page.click("a:has-text('报告进度')")
    page.fill("input[name=reported_on]", today)
    page.fill("input[name=percent]", "100")
    with page.expect_navigation():
        page.click("form button[type=submit]:has-text('保存')")
    page.click("a:has-text('登记付款')")
    page.fill("input[name=paid_on]", today)
    page.fill("input[name=amount]", "18000")
    with page.expect_navigation():
        page.click("form button[type=submit]:has-text('保存')")
    assert re.search(rf"/maintenance/projects/{project.pk}/$", page.url)
    content = page.content()
    assert "18,000.00" in content and "50%" in content

    # 5. Photos, then the acceptance.
    upload(page, "照片", "维修前后照片")
    stage(page, "竣工验收", {"accepted_on": today, "result": "passed", "note": "无渗漏。"})
    project.refresh_from_db()
    assert project.stage == "accepted", page.locator(".alert").all_inner_texts()

    # 6. The bureau evaluates, files the completion papers and archives.
    sign_in(page, url, "zz_bureau", later=True)
    page.goto(f"{url}{project.get_absolute_url()}")
    stage(page, "项目评价", {"score": "92", "comment": "及时处置，费用节约。"})
    upload(page, "维修", "竣工验收资料")
    stage(page, "资料归档", {"archived_on": today})
    project.refresh_from_db()
    assert project.stage == "archived", page.locator(".alert").all_inner_texts()
    assert "6 归档" in page.content()

    # 7. The building's page lists it in its maintenance history.
    page.goto(f"{url}{building.get_absolute_url()}")
    history = page.locator("#maintenance-history")
    assert "会议室漏水维修（测试）" in history.inner_text()
    assert "归档" in history.inner_text()
    page.screenshot(path="/tmp/gongfang-e2e-maintenance.png", full_page=True)
