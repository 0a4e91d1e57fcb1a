"""The batch page after the fact (issue 10, points 12 and 13): local times, the changes named
for what they are once committed, revert behind a confirmation, errors in the file's order."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

from django.test import TestCase
from django.urls import reverse

from ...registry.tests.world import WorldMixin
from ..importer import Counts, ImportResult
from ..models import ImportBatch
from . import test_views

SHANGHAI = ZoneInfo("Asia/Shanghai")


class BatchPageTests(WorldMixin, TestCase):
    # The upload helpers of the ledger's page tests (not their tests).
    setUp = test_views.LedgerPageTests.setUp
    room_file = test_views.LedgerPageTests.room_file
    upload = test_views.LedgerPageTests.upload

    def committed_update(self) -> ImportBatch:
        a = self.world.a
        self.upload(self.room_file(number=a.room.number, area="9.5"))
        batch = ImportBatch.objects.get()
        self.assertContains(self.client.get(batch.get_absolute_url()), "将被修改的记录")
        self.client.post(reverse("ledger:batch_commit", args=[batch.pk]))
        batch.refresh_from_db()
        return batch

    def test_a_committed_batch_lists_what_was_changed_not_what_will_be(self):
        batch = self.committed_update()
        page = self.client.get(batch.get_absolute_url())
        self.assertContains(page, "已修改的记录")
        self.assertNotContains(page, "将被修改的记录")

    def test_revert_asks_for_a_confirmation_first(self):
        batch = self.committed_update()
        html = self.client.get(batch.get_absolute_url()).content.decode()
        revert = reverse("ledger:batch_revert", args=[batch.pk])
        # The page's button opens a dialog; only the dialog's form posts the revert.
        self.assertIn('data-bs-target="#confirm-revert"', html)
        dialog = re.search(r'<div class="modal[^>]*id="confirm-revert".*?</form>', html, re.S)
        self.assertIsNotNone(dialog)
        self.assertIn(f'action="{revert}"', dialog.group(0))
        self.assertEqual(html.count(f'action="{revert}"'), 1)
        self.assertIn("确定撤销吗", dialog.group(0))

    def test_an_upload_at_01_26_in_shanghai_reads_01_26(self):
        batch = self.committed_update()
        uploaded = datetime.datetime(2026, 12, 5, 1, 26, tzinfo=SHANGHAI)
        ImportBatch.objects.filter(pk=batch.pk).update(created_at=uploaded)
        batch.refresh_from_db()
        self.assertIn("2026-12-05 01:26", str(batch))
        page = self.client.get(batch.get_absolute_url()).content.decode()
        self.assertIn("2026-12-05 01:26", page)
        self.assertNotIn("17:26", page)
        listing = self.client.get(reverse("ledger:index")).content.decode()
        self.assertIn("2026-12-05 01:26", listing)
        self.assertNotIn("17:26", listing)


class ErrorOrderTests(TestCase):
    def test_errors_are_listed_in_the_order_of_the_file(self):
        result = ImportResult()
        result.counts["院落"] = Counts()
        result.counts["房间"] = Counts()
        for sheet, row in (("房间", 2), ("房间", 4), ("院落", 5), ("房间", 3)):
            result.add_error(sheet, row, "房间号", f"第 {row} 行有误。")
        result.add_error("", None, "", "文件有误。")
        rows = [(e["sheet"], e["row"]) for e in result.as_dict()["errors"]]
        self.assertEqual(rows, [("", None), ("院落", 5), ("房间", 2), ("房间", 3), ("房间", 4)])
