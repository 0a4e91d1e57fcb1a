"""Ledger pages: upload → preview → commit → revert, list exports that re-import unchanged,
templates, the queue for large files, and who may do what."""

from __future__ import annotations

import io
from decimal import Decimal
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...registry.models import Organization, Person, Room
from ...registry.tests.world import WorldMixin
from ..models import ImportBatch
from ..reader import read_workbook
from ..specs import SHEETS
from .helpers import run_worker, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LedgerPageTests(WorldMixin, TestCase):
    def setUp(self):
        self.client.force_login(self.user_with_perm)

    def room_file(self, number="301", area="20.5㎡") -> SimpleUploadedFile:
        a = self.world.a
        content = workbook(
            {
                "房间": [
                    [
                        "区划代码",
                        "院落名称",
                        "楼座名称",
                        "楼层号",
                        "房间号",
                        "用房类别",
                        "使用面积",
                    ],
                    [a.region.code, a.compound.name, a.building.name, 1, number, "办公室", area],
                ]
            }
        )
        return SimpleUploadedFile("rooms.xlsx", content, content_type=XLSX)

    def upload(self, file, **data):
        data = {"mode": "upsert", "sheet": "", **data, "file": file}
        return self.client.post(reverse("ledger:upload"), data)

    def test_upload_preview_commit_revert(self):
        response = self.upload(self.room_file())
        batch = ImportBatch.objects.get()
        self.assertRedirects(response, batch.get_absolute_url())
        self.assertEqual(batch.status, ImportBatch.Status.PREVIEWED)
        self.assertFalse(Room.objects.filter(number="301").exists())
        page = self.client.get(batch.get_absolute_url())
        self.assertContains(page, "确认导入")
        self.assertContains(page, "尚未写入任何数据")

        self.client.post(reverse("ledger:batch_commit", args=[batch.pk]))
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.COMMITTED)
        room = Room.objects.get(number="301")
        self.assertEqual(room.usable_area, Decimal("20.50"))
        self.assertEqual(batch.created_count, 1)
        event = ObjectChange.objects.get(event="ledger.import")
        self.assertEqual(event.postchange_data["counts"]["房间"]["created"], 1)
        self.assertContains(self.client.get(batch.get_absolute_url()), "撤销整批导入")

        self.client.post(reverse("ledger:batch_revert", args=[batch.pk]))
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.REVERTED)
        self.assertFalse(Room.objects.filter(number="301").exists())
        self.assertTrue(ObjectChange.objects.filter(event="ledger.revert").exists())

    def test_revert_restores_updated_values_and_is_refused_after_a_later_change(self):
        a = self.world.a
        old_area = a.room.usable_area
        self.upload(self.room_file(number=a.room.number, area="9.5"))
        batch = ImportBatch.objects.get()
        self.client.post(reverse("ledger:batch_commit", args=[batch.pk]))
        a.room.refresh_from_db()
        self.assertEqual(a.room.usable_area, Decimal("9.50"))

        service_for(Room).update(actor=self.user_with_perm, instance=a.room, data={"name": "改名"})
        response = self.client.post(reverse("ledger:batch_revert", args=[batch.pk]), follow=True)
        self.assertContains(response, "不能整批撤销")
        self.assertContains(response, str(a.room))
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.COMMITTED)

        # A batch whose objects did not change since is restored exactly.
        self.upload(self.room_file(number=a.room.number, area="12"))
        second = ImportBatch.objects.latest("id")
        self.client.post(reverse("ledger:batch_commit", args=[second.pk]))
        self.client.post(reverse("ledger:batch_revert", args=[second.pk]))
        a.room.refresh_from_db()
        self.assertEqual(a.room.usable_area, Decimal("9.50"))
        self.assertNotEqual(a.room.usable_area, old_area)

    def test_bad_file_is_refused_on_the_form_and_nothing_is_kept(self):
        response = self.upload(SimpleUploadedFile("rooms.xlsx", b"not a spreadsheet at all"))
        self.assertContains(response, "不是有效的 Excel", status_code=400)
        self.assertFalse(ImportBatch.objects.exists())

    def test_file_with_errors_lists_them_and_cannot_be_committed(self):
        self.upload(self.room_file(area="二十"))
        batch = ImportBatch.objects.get()
        self.assertEqual(batch.status, ImportBatch.Status.INVALID)
        page = self.client.get(batch.get_absolute_url())
        self.assertContains(page, "使用面积")
        self.assertContains(page, "未写入任何数据")
        self.assertNotContains(page, "确认导入")
        self.client.post(reverse("ledger:batch_commit", args=[batch.pk]))
        self.assertFalse(Room.objects.filter(number="301").exists())
        listed = self.client.get(reverse("ledger:batch_errors", args=[batch.pk]))
        errors = read_workbook("errors.xlsx", io.BytesIO(listed.content))[0]
        self.assertEqual(errors.headers, ["工作表", "行", "列", "问题"])
        self.assertEqual(errors.rows[0][1][:3], ["房间", 2.0, "使用面积"])

    def test_csv_in_gbk_needs_its_sheet(self):
        a = self.world.a
        text = f"所在单位,人员编号,姓名,职级\n{a.org.uscc},777,赵六,科员及以下\n"
        file = SimpleUploadedFile("persons.csv", text.encode("gbk"))
        response = self.upload(file)
        self.assertContains(response, "须选择它是哪一类台账", status_code=400)
        file = SimpleUploadedFile("persons.csv", text.encode("gbk"))
        self.upload(file, sheet="person")
        batch = ImportBatch.objects.get()
        self.assertEqual(batch.status, ImportBatch.Status.PREVIEWED, batch.result)
        self.client.post(reverse("ledger:batch_commit", args=[batch.pk]))
        self.assertEqual(Person.objects.get(number="777").name, "赵六")

    def test_batches_are_private_to_their_uploader(self):
        self.upload(self.room_file())
        batch = ImportBatch.objects.get()
        other = self.client_class()
        other.force_login(self.user_org_scoped)
        self.assertEqual(other.get(batch.get_absolute_url()).status_code, 404)
        self.assertEqual(
            other.post(reverse("ledger:batch_commit", args=[batch.pk])).status_code, 404
        )
        self.assertEqual(other.get(reverse("ledger:batch_file", args=[batch.pk])).status_code, 404)

    def test_view_only_account_has_no_import_page(self):
        viewer = self.client_class()
        viewer.force_login(self.user_view_only)
        self.assertEqual(viewer.get(reverse("ledger:index")).status_code, 403)
        anonymous = self.client_class()
        self.assertEqual(anonymous.get(reverse("ledger:index")).status_code, 302)

    def test_list_exports_reimport_unchanged(self):
        for sheet in SHEETS:
            url = reverse(f"registry:{sheet.key}_list")
            for fmt in ("xlsx", "csv"):
                response = self.client.get(url, {"export": fmt})
                self.assertEqual(response.status_code, 200, (sheet.key, fmt))
                name = f"export.{fmt}"
                file = SimpleUploadedFile(name, response.content)
                self.upload(file, sheet=sheet.key)
                batch = ImportBatch.objects.latest("id")
                self.assertEqual(batch.status, ImportBatch.Status.PREVIEWED, batch.result)
                self.assertEqual(batch.created_count + batch.updated_count, 0, (sheet.key, fmt))
                self.assertGreater(batch.unchanged_count, 0, (sheet.key, fmt))
        self.assertTrue(ObjectChange.objects.filter(event="ledger.export").exists())

    def test_list_export_keeps_the_filter_and_the_scope(self):
        url = reverse("registry:room_list")
        response = self.client.get(url, {"export": "xlsx", "q": "不存在的房间", "per_page": 25})
        sheets = read_workbook("x.xlsx", io.BytesIO(response.content))
        self.assertEqual(sheets[0].rows, [])
        event = ObjectChange.objects.filter(event="ledger.export").latest("id")
        self.assertEqual(event.postchange_data["filters"], {"q": "不存在的房间"})
        response = self.client.get(url, {"export": "xlsx"})
        rooms = read_workbook("x.xlsx", io.BytesIO(response.content))[0].rows
        self.assertEqual(len(rooms), Room.objects.restrict(self.user_with_perm).count())
        self.assertNotIn(self.world.b.region.code, {values[0] for _, values in rooms})

    def test_templates_have_dropdowns_guide_and_import_as_nothing(self):
        for key in [*(s.key for s in SHEETS), "ledger"]:
            response = self.client.get(reverse("ledger:template", args=[key]))
            self.assertEqual(response.status_code, 200)
            wb = openpyxl.load_workbook(io.BytesIO(response.content))
            self.assertIn("填写说明", wb.sheetnames)
        room = wb["房间"]
        self.assertTrue(room.data_validations.dataValidation)
        self.assertEqual(room["E1"].value, "房间号*")
        # The untouched template imports nothing: its sample rows are skipped.
        self.upload(SimpleUploadedFile("ledger.xlsx", response.content))
        batch = ImportBatch.objects.latest("id")
        self.assertEqual(batch.status, ImportBatch.Status.PREVIEWED, batch.result)
        self.assertEqual(batch.created_count, 0)
        self.assertEqual(batch.skipped_count, len(SHEETS))
        self.assertEqual(
            self.client.get(reverse("ledger:template", args=["nope"])).status_code, 404
        )

    def test_whole_ledger_export_of_the_scope(self):
        response = self.client.get(reverse("ledger:export"))
        sheets = {s.name: s for s in read_workbook("x.xlsx", io.BytesIO(response.content))}
        self.assertEqual([s.title for s in SHEETS], list(sheets))
        self.assertEqual(len(sheets["房间"].rows), 1)  # side a only
        event = ObjectChange.objects.get(event="ledger.export")
        self.assertEqual(event.postchange_data["rows"]["房间"], 1)

    @pytest.mark.queue
    @override_settings(LEDGER_IMPORT_SYNC_MAX_ROWS=0)
    def test_large_file_runs_on_the_queue_with_progress(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.upload(self.room_file())
        batch = ImportBatch.objects.get()
        self.assertEqual(batch.status, ImportBatch.Status.QUEUED)
        self.assertTrue(batch.task_id)
        page = self.client.get(batch.get_absolute_url())
        self.assertContains(page, 'hx-trigger="every 1s"')
        progress = self.client.get(reverse("ledger:batch_progress", args=[batch.pk]))
        self.assertContains(progress, "<progress")

        run_worker()
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.PREVIEWED, batch.message)
        done = self.client.get(reverse("ledger:batch_progress", args=[batch.pk]))
        self.assertEqual(done["HX-Refresh"], "true")

        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("ledger:batch_commit", args=[batch.pk]))
        run_worker()
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.COMMITTED, batch.message)
        self.assertTrue(Room.objects.filter(number="301").exists())

    def test_revert_of_units_created_with_their_parent_in_one_file(self):
        a = self.world.a
        headers = ["统一社会信用代码", "单位名称", "单位类别", "机构层级", "主管部门", "区划代码"]
        content = workbook(
            {
                "单位": [
                    headers,
                    ["", "新设局", "行政机关", "县级", a.org.uscc, a.region.code],
                    ["", "新设中心", "事业单位", "县级", "新设局", a.region.code],
                ]
            }
        )
        self.upload(SimpleUploadedFile("units.xlsx", content))
        batch = ImportBatch.objects.get()
        self.client.post(reverse("ledger:batch_commit", args=[batch.pk]))
        self.assertEqual(Organization.objects.filter(name__startswith="新设").count(), 2)
        self.client.post(reverse("ledger:batch_revert", args=[batch.pk]), follow=True)
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.REVERTED)
        self.assertFalse(Organization.objects.filter(name__startswith="新设").exists())

    def test_revert_moves_a_unit_back_with_its_subtree(self):
        a = self.world.a
        headers = ["统一社会信用代码", "单位名称", "单位类别", "机构层级", "主管部门", "区划代码"]
        sub = a.sub_org
        row = [
            sub.uscc,
            sub.name,
            sub.get_kind_display(),
            sub.get_level_display(),
            "",
            a.region.code,
        ]
        grandchild = Organization.objects.create(
            name="孙单位", kind=sub.kind, level=sub.level, region=a.region, parent=sub
        )
        grandchild.path = grandchild.compute_path()
        grandchild.save()
        self.upload(SimpleUploadedFile("units.xlsx", workbook({"单位": [headers, row]})))
        batch = ImportBatch.objects.get()
        self.client.post(reverse("ledger:batch_commit", args=[batch.pk]))
        grandchild.refresh_from_db()
        self.assertEqual(grandchild.path, f"/{sub.pk}/{grandchild.pk}/")
        self.client.post(reverse("ledger:batch_revert", args=[batch.pk]))
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.REVERTED)
        grandchild.refresh_from_db()
        sub.refresh_from_db()
        self.assertEqual(sub.parent, a.org)
        self.assertEqual(grandchild.path, f"{a.org.path}{sub.pk}/{grandchild.pk}/")

    def test_keys_registered_meanwhile_fail_the_commit_cleanly(self):
        from ...registry.tests import factories as f
        from ..importer import _Run

        self.upload(self.room_file())
        batch = ImportBatch.objects.get()
        write_rows = _Run.write_rows

        def someone_else_first(run, sheet, rows, *args):
            # The same room is registered after the import read the keys, before it writes.
            f.RoomFactory(floor=self.world.a.floor, number="301")
            return write_rows(run, sheet, rows, *args)

        with mock.patch.object(_Run, "write_rows", someone_else_first):
            self.client.post(reverse("ledger:batch_commit", args=[batch.pk]))
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.INVALID)
        self.assertIn("同时登记", batch.message)
        self.assertFalse(ObjectChange.objects.filter(event="ledger.import").exists())
        self.assertFalse(Room.objects.filter(number="301").exists())
