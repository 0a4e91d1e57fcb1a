"""A bureau administrator logs in with password and authenticator code, imports a one-room
ledger from the 导入导出 page (upload → 检查通过 → 确认导入 → 已导入), then exports the room
list as Excel from its 导出 menu and finds the new room in the file — all in a real browser,
with no script error and nothing blocked by the Content-Security-Policy."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from gongfang.accounts.models import User
from gongfang.accounts.otp import current_code, totp_device
from gongfang.ledger.models import ImportBatch
from gongfang.ledger.reader import read_workbook
from gongfang.registry.models import Floor, Room

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Demo@2026!"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROOM_HEADERS = ["区划代码", "院落名称", "楼座名称", "楼层号", "房间号", "用房类别", "使用面积"]
NEW_ROOM = "E2E-901"


@pytest.fixture
def demo_city(db):
    call_command("load_demo", profile="small", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded ledgers are kept with their batch: keep them out of var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def csp_violations(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def log_in(page, base_url: str, username: str = "zz_bureau") -> None:
    """Password, then the code the account's authenticator app would show now."""
    page.goto(f"{base_url}/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
    page.fill("input[name=token]", current_code(totp_device(User.objects.get(username=username))))
    page.click("button[type=submit]")
    page.locator("table a", has_text="市中区").first.wait_for()


def room_ledger(floor: Floor, number: str, area: str) -> bytes:
    compound = floor.building.compound
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "房间"
    sheet.append(ROOM_HEADERS)
    sheet.append(
        [
            compound.region.code,
            compound.name,
            floor.building.name,
            floor.number,
            number,
            "办公室",
            area,
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_import_a_room_then_export_it(live_server, page, demo_city, media):
    violations = csp_violations(page)
    user = User.objects.get(username="zz_bureau")
    floor = (
        Floor.objects.select_related("building__compound__region")
        .filter(pk__in=Room.objects.restrict(user, "change").values("floor"))
        .order_by("pk")
        .first()
    )
    assert not Room.objects.filter(number=NEW_ROOM).exists()
    log_in(page, live_server.url)

    # 台账导入导出 › 导入导出 in the menu.
    page.locator(".navbar-nav .nav-link", has_text="台账导入导出").click()
    page.locator(".dropdown-menu a.dropdown-item", has_text="导入导出").click()
    page.wait_for_url(re.compile(r"/ledger/$"))

    page.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "新增房间.xlsx",
                "mimeType": XLSX,
                "buffer": room_ledger(floor, NEW_ROOM, "21.5"),
            }
        ],
    )
    page.click("button:has-text('上传并检查')")
    page.wait_for_url(re.compile(r"/ledger/batches/\d+/$"))
    batch = ImportBatch.objects.get(pk=int(re.search(r"/batches/(\d+)/", page.url).group(1)))
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.result

    # The preview: passed, nothing written yet, one room to create.
    assert "检查通过" in page.locator(".page-header").inner_text()
    assert "尚未写入任何数据" in page.locator(".alert-info").inner_text()
    counts = page.locator(".card", has_text="检查结果（尚未写入）").locator("table")
    room_row = counts.locator("tbody tr", has_text="房间")
    assert room_row.locator("td").all_inner_texts() == ["房间", "1", "1", "0", "0", "0", "0"]
    assert not Room.objects.filter(number=NEW_ROOM).exists()

    page.click("button:has-text('确认导入')")
    page.locator(".alert", has_text="已导入：新建 1 条").wait_for()
    assert "已导入" in page.locator(".page-header .badge").inner_text()
    assert page.locator(
        "button[data-bs-target='#confirm-revert']", has_text="撤销整批导入"
    ).is_visible()
    room = Room.objects.get(number=NEW_ROOM, floor=floor)
    assert room.usable_area == Decimal("21.50")

    # The room list's 导出 › 导出筛选结果（Excel .xlsx）.
    page.goto(f"{live_server.url}/rooms/")
    page.locator("#object-table table tbody tr").first.wait_for()
    page.locator("button.dropdown-toggle", has_text="导出").click()
    with page.expect_download() as info:
        page.locator("a.dropdown-item", has_text="导出筛选结果（Excel .xlsx）").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = Path(download.path())
    with path.open("rb") as fileobj:
        sheets = read_workbook(download.suggested_filename, fileobj)
    assert [s.name for s in sheets] == ["房间"]
    exported = sheets[0]
    assert exported.headers[:5] == ROOM_HEADERS[:5]
    column = {header: i for i, header in enumerate(exported.headers)}
    mine = [values for _, values in exported.rows if values[column["房间号"]] == NEW_ROOM]
    assert len(mine) == 1, mine
    assert mine[0][column["楼座名称"]] == floor.building.name
    assert Decimal(str(mine[0][column["使用面积"]])) == Decimal("21.5")
    assert len(exported.rows) == Room.objects.restrict(user).count()

    assert violations == []
    page.screenshot(path="/tmp/gongfang-e2e-ledger.png", full_page=True)


def test_export_after_a_search_exports_what_the_list_shows(live_server, page, demo_city, media):
    """A search typed in the list's search box reloads the table in place (htmx, URL pushed);
    导出筛选结果 must then export the rows the list shows, not the list as first loaded."""
    violations = csp_violations(page)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/rooms/")
    total = listed_count(page)
    page.fill("#list-search", "会议室")
    page.wait_for_url(re.compile(r"/rooms/\?q="))
    page.locator(".gf-chip", has_text="搜索：会议室").wait_for()
    shown = listed_count(page)
    assert 0 < shown < total

    page.locator("button.dropdown-toggle", has_text="导出").click()
    with page.expect_download() as info:
        page.locator("a.dropdown-item", has_text="导出筛选结果（Excel .xlsx）").click()
    with Path(info.value.path()).open("rb") as fileobj:
        rows = read_workbook(info.value.suggested_filename, fileobj)[0].rows
    assert violations == []
    assert len(rows) == shown, f"the list shows {shown} rooms, the export has {len(rows)}"


def listed_count(page) -> int:
    """The "共 N 条" of the list's card."""
    text = page.locator("#object-table .card-subtitle").inner_text()
    return int(re.search(r"共 ([\d,]+) 条", text).group(1).replace(",", ""))
