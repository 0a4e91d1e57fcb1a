"""The ledger API: upload → preview → commit → revert through ``/api/ledger/imports/``, exports
of a sheet (filtered and scoped) and of the whole ledger, templates, and who may do what."""

from __future__ import annotations

import io
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from ...accounts.roles import PERMISSIONS, Role
from ...framework.models import ObjectChange
from ...framework.services import service_for
from ...registry.models import Room
from ...registry.tests import factories as f
from ...registry.tests.world import WorldMixin, make_user
from ..models import ImportBatch
from ..reader import read_workbook
from ..specs import SHEETS
from .helpers import TempMediaMixin, run_worker

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROOM_HEADERS = ["区划代码", "院落名称", "楼座名称", "楼层号", "房间号", "用房类别", "使用面积"]
IMPORTS = reverse("api:ledger:importbatch-list")
EXPORT = reverse("api:ledger:export")


def batch_url(pk: int, what: str = "") -> str:
    if not what:
        return reverse("api:ledger:importbatch-detail", args=[pk])
    return reverse(f"api:ledger:importbatch-{what}", args=[pk])


def template_url(key: str) -> str:
    return reverse("api:ledger:template", args=[key])


class LedgerAPITests(TempMediaMixin, WorldMixin, TestCase):
    def setUp(self):
        self.api = self.client_for(self.user_with_perm)

    def client_for(self, user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    def room_file(self, number: str = "401", area: str = "20.5㎡") -> SimpleUploadedFile:
        a = self.world.a
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "房间"
        ws.append(ROOM_HEADERS)
        ws.append([a.region.code, a.compound.name, a.building.name, 1, number, "办公室", area])
        buffer = io.BytesIO()
        wb.save(buffer)
        return SimpleUploadedFile("rooms.xlsx", buffer.getvalue(), content_type=XLSX)

    def upload(self, file, client: APIClient | None = None, **data):
        return (client or self.api).post(IMPORTS, {"file": file, **data}, format="multipart")

    # Import batches ----------------------------------------------------------------------------
    def test_upload_previews_then_commit_writes_and_revert_undoes(self):
        response = self.upload(self.room_file())
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(data["status"], "previewed")
        self.assertEqual(data["status_display"], "检查通过，待确认")
        self.assertEqual(data["mode"], "upsert")
        self.assertEqual((data["filename"], data["row_count"]), ("rooms.xlsx", 1))
        self.assertEqual(data["counts"]["房间"]["created"], 1)
        self.assertEqual((data["errors"], data["error_count"]), ([], 0))
        self.assertIsNone(data["progress"])
        self.assertIsNone(data["committed_at"])
        self.assertEqual(data["user_name"], self.user_with_perm.username)
        batch = ImportBatch.objects.get()
        self.assertEqual(data["id"], batch.pk)
        self.assertEqual(data["uuid"], str(batch.uuid))
        self.assertFalse(Room.objects.filter(number="401").exists())  # nothing written yet

        response = self.api.post(batch_url(batch.pk, "commit"))
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "committed")
        self.assertEqual(response.json()["created_count"], 1)
        self.assertEqual(response.json()["revert_conflicts"], [])
        room = Room.objects.get(number="401")
        self.assertEqual(room.usable_area, Decimal("20.50"))
        self.assertTrue(ObjectChange.objects.filter(event="ledger.import").exists())

        response = self.api.post(batch_url(batch.pk, "revert"))
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "reverted")
        self.assertIsNotNone(response.json()["reverted_at"])
        self.assertFalse(Room.objects.filter(number="401").exists())
        self.assertTrue(ObjectChange.objects.filter(event="ledger.revert").exists())

        # Neither may happen twice.
        response = self.api.post(batch_url(batch.pk, "commit"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("不能导入", response.json()["non_field_errors"][0])
        response = self.api.post(batch_url(batch.pk, "revert"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("不能撤销", response.json()["non_field_errors"][0])

    def test_list_retrieve_and_the_kept_file(self):
        file = self.room_file()
        self.upload(file)
        batch = ImportBatch.objects.get()
        listing = self.api.get(IMPORTS).json()
        self.assertEqual(listing["count"], 1)
        self.assertEqual(listing["results"][0]["id"], batch.pk)
        self.assertNotIn("revert_conflicts", listing["results"][0])
        detail = self.api.get(batch_url(batch.pk)).json()
        self.assertEqual(detail["counts"]["房间"]["rows"], 1)
        self.assertTrue(detail["url"].endswith(batch_url(batch.pk)))
        self.assertTrue(detail["file_url"].endswith(batch_url(batch.pk, "file")))

        response = self.api.get(batch_url(batch.pk, "file"), HTTP_ACCEPT=XLSX)
        self.assertEqual(response.status_code, 200)
        file.seek(0)
        self.assertEqual(b"".join(response.streaming_content), file.read())
        self.assertIn("rooms.xlsx", response["Content-Disposition"])

    def test_file_with_errors_is_invalid_and_cannot_be_committed(self):
        response = self.upload(self.room_file(area="很大"))
        self.assertEqual(response.status_code, 201)
        data = response.json()
        self.assertEqual(data["status"], "invalid")
        self.assertEqual(data["error_count"], 1)
        error = data["errors"][0]
        self.assertEqual((error["sheet"], error["row"], error["column"]), ("房间", 2, "使用面积"))
        response = self.api.post(batch_url(data["id"], "commit"))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Room.objects.filter(number="401").exists())

    def test_bad_file_is_refused_and_nothing_is_kept(self):
        response = self.upload(SimpleUploadedFile("x.xlsx", b"junk"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("不是有效的 Excel", response.json()["file"][0])
        self.assertFalse(ImportBatch.objects.exists())

    def test_csv_needs_its_sheet_and_parameters_are_checked(self):
        csv = SimpleUploadedFile("rooms.csv", ",".join(ROOM_HEADERS).encode())
        response = self.upload(csv)
        self.assertEqual(response.status_code, 400)
        self.assertIn("CSV", response.json()["sheet"][0])
        response = self.upload(self.room_file(), mode="replace")
        self.assertEqual(response.status_code, 400)
        self.assertIn("mode", response.json())
        self.assertEqual(self.api.post(IMPORTS, {}, format="multipart").status_code, 400)
        self.assertFalse(ImportBatch.objects.exists())

    def test_revert_is_refused_naming_what_changed_since(self):
        a = self.world.a
        self.upload(self.room_file(number=a.room.number, area="9.5"))
        batch = ImportBatch.objects.get()
        self.api.post(batch_url(batch.pk, "commit"))
        a.room.refresh_from_db()
        service_for(Room).update(actor=self.user_with_perm, instance=a.room, data={"name": "改名"})
        detail = self.api.get(batch_url(batch.pk)).json()
        self.assertIn(str(a.room), detail["revert_conflicts"][0])
        response = self.api.post(batch_url(batch.pk, "revert"))
        self.assertEqual(response.status_code, 400)
        messages = response.json()["non_field_errors"]
        self.assertIn("不能整批撤销", messages[0])
        self.assertIn(str(a.room), messages[1])
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.COMMITTED)

    @pytest.mark.queue
    @override_settings(LEDGER_IMPORT_SYNC_MAX_ROWS=0)
    def test_large_file_is_queued_with_progress(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.upload(self.room_file())
        self.assertEqual(response.status_code, 201)
        data = response.json()
        self.assertEqual(data["status"], "queued")
        self.assertTrue(data["background"])
        self.assertEqual(data["progress"]["stage"], "preview")
        run_worker()
        data = self.api.get(batch_url(data["id"])).json()
        self.assertEqual(data["status"], "previewed")
        self.assertIsNone(data["progress"])

    def test_batches_are_private_to_their_uploader(self):
        self.upload(self.room_file())
        batch = ImportBatch.objects.get()
        other = self.client_for(self.user_org_scoped)  # may import too, but not this batch
        self.assertEqual(other.get(IMPORTS).json()["count"], 0)
        for method, what in (
            ("get", ""),
            ("get", "file"),
            ("post", "commit"),
            ("post", "revert"),
        ):
            response = getattr(other, method)(batch_url(batch.pk, what))
            self.assertEqual(response.status_code, 404, (method, what))
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.PREVIEWED)

    def test_who_may_import(self):
        viewer = self.client_for(self.user_view_only)
        response = self.upload(self.room_file(), client=viewer)
        self.assertEqual(response.status_code, 403)
        self.assertIn("导入批次", response.json()["detail"])
        self.assertEqual(viewer.get(IMPORTS).status_code, 403)
        self.assertFalse(ImportBatch.objects.exists())

        anonymous = APIClient()
        self.assertEqual(self.upload(self.room_file(), client=anonymous).status_code, 401)
        self.assertEqual(anonymous.get(IMPORTS).status_code, 401)
        self.assertEqual(anonymous.get(EXPORT).status_code, 401)
        self.assertEqual(anonymous.get(template_url("room")).status_code, 401)

        # Reverting needs the delete action, committing the add action.
        self.upload(self.room_file())
        batch = ImportBatch.objects.get()
        self.api.post(batch_url(batch.pk, "commit"))
        no_delete = {**PERMISSIONS[Role.BUREAU_ADMIN], "ledger.*": frozenset({"view", "add"})}
        with patch.dict(PERMISSIONS, {Role.BUREAU_ADMIN: no_delete}):
            response = self.api.post(batch_url(batch.pk, "revert"))
        self.assertEqual(response.status_code, 403)
        self.assertIn("删除导入批次", response.json()["detail"])

    # Exports -----------------------------------------------------------------------------------
    def test_sheet_export_keeps_the_filter_and_the_scope(self):
        a = self.world.a
        f.RoomFactory(floor=a.floor, number="202", organization=a.org)
        f.RoomFactory(floor=self.world.b.floor, number="203", organization=self.world.b.org)
        response = self.api.get(EXPORT, {"sheet": "room", "format": "csv", "q": "20"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response["Content-Type"].startswith("text/csv"))
        self.assertIn("attachment", response["Content-Disposition"])
        sheet = read_workbook("x.csv", io.BytesIO(response.content), csv_sheet="房间")[0]
        number = sheet.headers.index("房间号")
        self.assertEqual([values[number] for _, values in sheet.rows], ["202"])  # b's is out

        response = self.api.get(EXPORT, {"sheet": "room"}, HTTP_ACCEPT=XLSX)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], XLSX)
        rooms = read_workbook("x.xlsx", io.BytesIO(response.content))[0].rows
        self.assertEqual(len(rooms), Room.objects.restrict(self.user_with_perm).count())

        event = ObjectChange.objects.filter(event="ledger.export").earliest("id")
        self.assertEqual(event.postchange_data["filters"], {"q": "20"})
        self.assertEqual(event.postchange_data["format"], "csv")
        self.assertEqual(event.postchange_data["rows"], 1)

    def test_export_refuses_unknown_sheets_formats_and_filters(self):
        for params, key in (
            ({"sheet": "nope"}, "sheet"),
            ({"sheet": "room", "format": "pdf"}, "format"),
            ({"format": "csv"}, "format"),
            ({"sheet": "room", "usable_area_min": "很大"}, "usable_area_min"),
        ):
            response = self.api.get(EXPORT, params)
            self.assertEqual(response.status_code, 400, params)
            self.assertIn(key, response.json(), params)
        self.assertIn("xlsx 或 csv", self.api.get(EXPORT, {"format": "pdf"}).json()["format"][0])
        self.assertFalse(ObjectChange.objects.filter(event="ledger.export").exists())

    def test_whole_ledger_export_of_the_scope(self):
        response = self.api.get(EXPORT)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], XLSX)
        sheets = {s.name: s for s in read_workbook("x.xlsx", io.BytesIO(response.content))}
        self.assertEqual([s.title for s in SHEETS], list(sheets))
        self.assertEqual(len(sheets["房间"].rows), 1)  # side a only
        event = ObjectChange.objects.get(event="ledger.export")
        self.assertEqual(event.postchange_data["sheet"], "全部台账")

    def test_who_may_export(self):
        viewer = self.client_for(self.user_view_only)
        self.assertEqual(viewer.get(EXPORT, {"sheet": "room"}).status_code, 200)
        self.assertEqual(viewer.get(EXPORT).status_code, 403)  # the ledger pages are not theirs
        surveyor = self.client_for(
            make_user("surveyor_a", [Role.SURVEYOR], scope_region=self.world.a.region)
        )
        self.assertEqual(surveyor.get(EXPORT, {"sheet": "room"}).status_code, 200)
        response = surveyor.get(EXPORT, {"sheet": "person"})
        self.assertEqual(response.status_code, 403)
        self.assertIn("人员", response.json()["detail"])
        admin = self.client_for(self.user_no_role)
        self.assertEqual(admin.get(EXPORT, {"sheet": "room"}).status_code, 403)
        self.assertEqual(admin.get(template_url("room")).status_code, 403)

    # Templates ---------------------------------------------------------------------------------
    def test_templates(self):
        for key in ("room", "ledger"):
            response = self.api.get(template_url(key))
            self.assertEqual(response.status_code, 200, key)
            self.assertEqual(response["Content-Type"], XLSX)
            wb = openpyxl.load_workbook(io.BytesIO(response.content))
            self.assertIn("填写说明", wb.sheetnames)
        self.assertEqual(wb.sheetnames[1:], [s.title for s in SHEETS])
        response = self.api.get(template_url("nope"))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["detail"], "没有这种模板。")

    # The OpenAPI description -------------------------------------------------------------------
    def test_schema_describes_the_ledger_api_without_warnings(self):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "schema.json"
            call_command(
                "spectacular",
                "--validate",
                "--fail-on-warn",
                "--format",
                "openapi-json",
                "--file",
                str(out),
            )
            paths = json.loads(out.read_text(encoding="utf-8"))["paths"]
        for path in (
            "/api/ledger/imports/",
            "/api/ledger/imports/{id}/",
            "/api/ledger/imports/{id}/commit/",
            "/api/ledger/imports/{id}/revert/",
            "/api/ledger/imports/{id}/file/",
            "/api/ledger/export/",
            "/api/ledger/templates/{key}/",
        ):
            self.assertIn(path, paths)
        self.assertIn(
            "multipart/form-data", paths["/api/ledger/imports/"]["post"]["requestBody"]["content"]
        )
