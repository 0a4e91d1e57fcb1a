"""A batch whose worker died is shown failed, with the reason and the last heartbeat; 重试 asks
for confirmation in a dialog, then commits the batch — in a real browser, with no script error
and nothing blocked by the Content-Security-Policy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongfang.accounts.models import User
from gongfang.ledger import services
from gongfang.ledger.models import ImportBatch
from gongfang.registry.models import Floor, Room

from .test_ledger_import import XLSX, csp_violations, demo_city, log_in, media, room_ledger

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
__all__ = ["demo_city", "media"]  # fixtures

NEW_ROOM = "E2E-902"


def test_failed_batch_is_retried_after_confirmation(live_server, page, demo_city, media):
    violations = csp_violations(page)
    user = User.objects.get(username="zz_bureau")
    floor = Floor.objects.filter(
        pk__in=Room.objects.restrict(user, "change").values("floor")
    ).first()
    file = SimpleUploadedFile("中断的导入.xlsx", room_ledger(floor, NEW_ROOM, "18"), XLSX)
    batch = services.do_upload(actor=user, uploaded_file=file, mode="upsert")
    beat = timezone.now() - timedelta(minutes=10)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.COMMITTING,
        stage="commit",
        worker="node-b:31337:5f3a9c1e",
        heartbeat_at=beat,
        lease_expires_at=beat + timedelta(seconds=90),
    )
    assert [b.pk for b in services.reclaim_stuck_batches()] == [batch.pk]

    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/ledger/batches/{batch.pk}/")
    assert "处理失败" in page.locator(".page-header .badge").inner_text()
    last = timezone.localtime(beat).strftime("%Y-%m-%d %H:%M:%S")
    alert = page.locator(".alert-danger").inner_text()
    assert f"处理上传请求的进程中断（最后心跳 {last}），未写入任何数据；可重试或放弃。" in alert
    page.screenshot(path="/tmp/gongfang-e2e-ledger-failed.png", full_page=True)

    page.click("button:has-text('重试')")
    dialog = page.locator("#confirm-retry")
    dialog.wait_for(state="visible")
    assert "将重新导入批次“中断的导入.xlsx”" in dialog.inner_text()
    page.screenshot(path="/tmp/gongfang-e2e-ledger-retry.png")
    assert not Room.objects.filter(number=NEW_ROOM).exists()
    dialog.locator("button[type=submit]").click()
    page.locator(".alert", has_text="已重新导入批次").wait_for()
    assert "已导入" in page.locator(".page-header .badge").inner_text()
    assert Room.objects.filter(number=NEW_ROOM, floor=floor).exists()
    assert re.search(r"/ledger/batches/\d+/$", page.url)
    assert violations == []
