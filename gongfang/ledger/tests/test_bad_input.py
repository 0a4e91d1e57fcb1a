"""The issue's list of bad input, end to end: through ``services.do_upload`` (and, for the files
the reader refuses, the upload page), each case gets its clear Chinese message and writes
nothing — no batch kept for a refused file, no registry row, no change-log row.

Three groups:

- files that are not usable spreadsheets (the ``tests/ledger_corpus`` files, one over the size
  limit, a zip bomb): refused at upload, nothing kept;
- readable files that are wrong (empty sheet, header only, missing or unknown column, the same
  room twice, rows outside a unit admin's scope): kept as an invalid batch whose errors name
  sheet, row and column, and which cannot be committed;
- good but messy files (numbers as text, area units, full-width digits, the usual date
  spellings, a GBK CSV): they import exactly the values they mean.
"""

from __future__ import annotations

import datetime
import io
import shutil
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse

from ...framework.models import ObjectChange
from ...registry.models import Floor, Person, Room
from ...registry.tests import factories as f
from ...registry.tests.world import WorldMixin
from .. import reader, services
from ..models import ImportBatch
from ..specs import SHEETS
from .helpers import workbook

CORPUS = Path(__file__).resolve().parents[3] / "tests" / "ledger_corpus"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ROOM_HEADERS = ["区划代码", "院落名称", "楼座名称", "楼层号", "房间号", "用房类别", "使用面积"]
ROOM_KEY = "区划代码、院落名称、楼座名称、楼层号、房间号"
PERSON_HEADERS = ["所在单位", "人员编号", "姓名"]

# Every bad file of the corpus, with (a fragment of) the message the user reads. The CSV files
# are uploaded as the room sheet: without a sheet the form stops them before they are read.
BAD_CORPUS = {
    "not_a_spreadsheet.xlsx": reader.MSG_NOT_XLSX,
    "text.pdf": reader.MSG_EXTENSION,
    "old_format.xls": reader.MSG_XLS,
    "encrypted.xlsx": reader.MSG_ENCRYPTED,
    "corrupt.xlsx": reader.MSG_CORRUPT,
    "formula.xlsx": "工作表“房间”第 2 行第 C 列是公式（=A2*2），请将公式复制后“选择性粘贴为数值”再导入。",
    "merged.xlsx": "工作表“房间”含合并单元格（A2:B2），请取消合并并在每个单元格填上内容后再导入。",
    "no_worksheets.xlsx": reader.MSG_NO_WORKSHEETS,
    "binary.csv": reader.MSG_CSV_BINARY,
    "bad_encoding.csv": reader.MSG_CSV_ENCODING,
}


def xlsx_file(sheets: dict[str, list[list]], name: str = "台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook(sheets), content_type=XLSX)


class LedgerUploadCase(WorldMixin, TestCase):
    """Uploads as the bureau admin of side a; the kept files go to a temporary media root."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        media = tempfile.mkdtemp(prefix="gongfang-ledger-test-")
        cls.addClassCleanup(shutil.rmtree, media, ignore_errors=True)
        cls.enterClassContext(override_settings(MEDIA_ROOT=media))

    def setUp(self):
        self.before = self.snapshot()

    # What was written ---------------------------------------------------------------------
    def snapshot(self) -> dict[str, int]:
        counts = {s.model._meta.label: s.model._base_manager.count() for s in SHEETS}
        counts["batches"] = ImportBatch.objects.count()
        counts["changes"] = ObjectChange.objects.filter(
            action__in=[ObjectChange.Action.CREATE, ObjectChange.Action.UPDATE]
        ).count()
        return counts

    def assertNothingWritten(self, *, batches: int = 0):
        """No registry row and no create/update change-log row since setUp; ``batches`` kept."""
        expected = {**self.before, "batches": self.before["batches"] + batches}
        self.assertEqual(self.snapshot(), expected)

    # Uploading ------------------------------------------------------------------------------
    def upload(self, file, *, actor=None, sheet_key: str = "", mode: str = "upsert"):
        return services.do_upload(
            actor=actor or self.user_with_perm, uploaded_file=file, mode=mode, sheet_key=sheet_key
        )

    def refusal(self, file, **kwargs) -> str:
        """The message on the file field of a refused upload."""
        with self.assertRaises(ValidationError) as info:
            self.upload(file, **kwargs)
        errors = info.exception.message_dict
        self.assertEqual(list(errors), ["file"], errors)
        self.assertEqual(len(errors["file"]), 1, errors)
        return errors["file"][0]

    def post_upload(self, file, *, sheet: str = ""):
        self.client.force_login(self.user_with_perm)
        return self.client.post(
            reverse("ledger:upload"), {"mode": "upsert", "sheet": sheet, "file": file}
        )

    def assertInvalid(self, batch: ImportBatch) -> list[dict]:
        """An invalid batch: its errors, and neither the service nor the page can commit it."""
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.INVALID, batch.result)
        self.assertFalse(batch.result["committed"])
        self.assertGreater(batch.result["error_count"], 0)
        with self.assertRaisesMessage(ValidationError, "不能导入"):
            services.do_commit(actor=batch.user, batch=batch)
        self.client.force_login(batch.user)
        self.client.post(reverse("ledger:batch_commit", args=[batch.pk]))
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.INVALID)
        return batch.result["errors"]

    def room_row(self, number: str, area="20", *, floor=1) -> list:
        a = self.world.a
        return [a.region.code, a.compound.name, a.building.name, floor, number, "办公室", area]


# Files the reader refuses -------------------------------------------------------------------
def _corpus_test(name: str, message: str):
    def test(self):
        sheet_key = "room" if name.endswith(".csv") else ""
        data = (CORPUS / name).read_bytes()
        shown = self.refusal(SimpleUploadedFile(name, data), sheet_key=sheet_key)
        self.assertIn(message, shown)
        self.assertNothingWritten()
        # The upload page shows the same message on the form, and keeps nothing either.
        response = self.post_upload(SimpleUploadedFile(name, data), sheet=sheet_key)
        self.assertContains(response, message, status_code=400)
        self.assertNothingWritten()

    test.__name__ = f"test_corpus_{Path(name).stem}_{Path(name).suffix[1:]}"
    test.__doc__ = f"tests/ledger_corpus/{name} is refused: {message}"
    return test


class RefusedFileTests(LedgerUploadCase):
    def test_every_bad_corpus_file_is_covered(self):
        good = {"gbk.csv", "utf8_bom.csv", "empty.xlsx"}  # empty.xlsx: see the test below
        files = {p.name for p in CORPUS.iterdir() if p.is_file() and p.suffix != ".py"}
        self.assertEqual(files - good, set(BAD_CORPUS))

    def test_corpus_empty_workbook_is_an_invalid_batch(self):
        # The reader reads an empty workbook (one blank "Sheet1") as a sheet without rows, so
        # the file is kept as a batch; the importer then finds nothing to import.
        batch = self.upload(SimpleUploadedFile("empty.xlsx", (CORPUS / "empty.xlsx").read_bytes()))
        errors = self.assertInvalid(batch)
        self.assertEqual(
            errors, [{"sheet": "", "row": None, "column": "", "message": "文件中没有数据行。"}]
        )
        self.assertNothingWritten(batches=1)

    def test_csv_without_its_sheet_is_refused_before_reading(self):
        data = (CORPUS / "gbk.csv").read_bytes()
        with self.assertRaises(ValidationError) as info:
            self.upload(SimpleUploadedFile("单位.csv", data))
        self.assertEqual(
            info.exception.message_dict, {"sheet": ["导入 CSV 文件时须选择它是哪一类台账。"]}
        )
        self.assertNothingWritten()

    @override_settings(LEDGER_IMPORT_MAX_BYTES=1024)
    def test_file_over_the_size_limit(self):
        data = b"\x00" * 2048  # refused by its size alone, before its content is looked at
        shown = self.refusal(SimpleUploadedFile("big.xlsx", data))
        self.assertTrue(shown.startswith("文件大小 "), shown)
        self.assertIn("的上限，请拆分后分批导入。", shown)
        self.assertNothingWritten()
        response = self.post_upload(SimpleUploadedFile("big.xlsx", data))
        self.assertContains(response, "请拆分后分批导入", status_code=400)
        self.assertNothingWritten()

    def test_zip_bomb(self):
        data = workbook({"房间": [ROOM_HEADERS, self.room_row("301")]})
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(m.file_size for m in archive.infolist())
        self.assertGreater(inflated, 2048)
        # The same valid file passes while it inflates to less than the limit...
        with override_settings(LEDGER_IMPORT_MAX_UNCOMPRESSED_BYTES=inflated):
            batch = self.upload(SimpleUploadedFile("rooms.xlsx", data))
        self.assertEqual(batch.status, ImportBatch.Status.PREVIEWED, batch.result)
        batch.delete()
        # ...and is refused as a bomb when it inflates to more.
        with override_settings(LEDGER_IMPORT_MAX_UNCOMPRESSED_BYTES=1024):
            shown = self.refusal(SimpleUploadedFile("rooms.xlsx", data))
            self.assertEqual(shown, reader.MSG_ZIP_BOMB)
            response = self.post_upload(SimpleUploadedFile("rooms.xlsx", data))
            self.assertContains(response, "压缩炸弹", status_code=400)
        self.assertNothingWritten()


for _name, _message in BAD_CORPUS.items():
    _test = _corpus_test(_name, _message)
    setattr(RefusedFileTests, _test.__name__, _test)


# Readable files that are wrong ----------------------------------------------------------------
class WrongContentTests(LedgerUploadCase):
    def test_empty_sheet(self):
        batch = self.upload(xlsx_file({"房间": []}))
        errors = self.assertInvalid(batch)
        self.assertEqual(len(errors), 1, errors)
        self.assertEqual((errors[0]["sheet"], errors[0]["row"]), ("房间", None))
        self.assertEqual(errors[0]["message"], "工作表“房间”是空的，没有表头。")
        self.assertNothingWritten(batches=1)

    def test_header_only(self):
        batch = self.upload(xlsx_file({"房间": [ROOM_HEADERS]}))
        errors = self.assertInvalid(batch)
        self.assertEqual([e["message"] for e in errors], ["文件中没有数据行。"])
        self.assertNothingWritten(batches=1)

    def test_missing_column(self):
        headers = [h for h in ROOM_HEADERS if h != "使用面积"]
        batch = self.upload(xlsx_file({"房间": [headers, self.room_row("301")[:-1]]}))
        errors = self.assertInvalid(batch)
        self.assertEqual(
            errors,
            [
                {
                    "sheet": "房间",
                    "row": 1,
                    "column": "使用面积",
                    "message": "缺少必需的列：使用面积。",
                }
            ],
        )
        self.assertNothingWritten(batches=1)

    def test_unknown_column(self):
        headers = [*ROOM_HEADERS, "面积"]
        batch = self.upload(xlsx_file({"房间": [headers, [*self.room_row("301"), "20"]]}))
        errors = self.assertInvalid(batch)
        self.assertEqual(len(errors), 1, errors)
        self.assertEqual((errors[0]["sheet"], errors[0]["row"]), ("房间", 1))
        self.assertEqual(errors[0]["column"], "面积")
        self.assertTrue(errors[0]["message"].startswith("未知的列“面积”；本表可用的列："))
        self.assertNothingWritten(batches=1)

    def test_misspelt_sheet_name(self):
        batch = self.upload(xlsx_file({"房间表": [ROOM_HEADERS, self.room_row("301")]}))
        errors = self.assertInvalid(batch)
        self.assertIn("工作表“房间表”不是台账工作表", errors[0]["message"])
        self.assertNothingWritten(batches=1)

    def test_same_room_twice_invalidates_the_whole_file(self):
        rows = [
            ROOM_HEADERS,
            self.room_row("301"),
            self.room_row("301", "30"),
            self.room_row("302"),
        ]
        batch = self.upload(xlsx_file({"房间": rows}))
        errors = self.assertInvalid(batch)
        self.assertEqual(
            errors,
            [
                {
                    "sheet": "房间",
                    "row": 3,
                    "column": ROOM_KEY,
                    "message": f"与第 2 行重复（{ROOM_KEY}相同）。",
                }
            ],
        )
        self.assertEqual(batch.result["counts"]["房间"]["rows"], 3)
        self.assertEqual(batch.result["counts"]["房间"]["failed"], 1)
        # The valid rows 2 and 4 are not written either.
        self.assertFalse(Room.objects.filter(number__in=["301", "302"]).exists())
        self.assertNothingWritten(batches=1)
        # The batch page lists the error by sheet, row and column, and offers no commit.
        page = self.client.get(batch.get_absolute_url())
        self.assertContains(
            page, '<th>工作表</th><th class="text-end">行</th><th>列</th>', html=False
        )
        self.assertContains(page, "与第 2 行重复")
        self.assertContains(page, "未写入任何数据")
        self.assertNotContains(page, "确认导入")

    def test_unit_admin_row_of_another_unit(self):
        a, b = self.world.a, self.world.b
        rows = [PERSON_HEADERS, [a.org.uscc, "101", "李四"], [b.org.uscc, "102", "王五"]]
        batch = self.upload(xlsx_file({"人员": rows}), actor=self.user_org_scoped)
        errors = self.assertInvalid(batch)
        self.assertEqual(len(errors), 1, errors)
        error = errors[0]
        self.assertEqual((error["sheet"], error["row"], error["column"]), ("人员", 3, "所在单位"))
        self.assertIn("超出您的管辖范围", error["message"])
        self.assertFalse(Person.objects.filter(number__in=["101", "102"]).exists())
        self.assertNothingWritten(batches=1)


# Good but messy files -------------------------------------------------------------------------
MESSY_AREAS = {  # room number -> (area as typed, area meant)
    "301": ("20.5", Decimal("20.50")),
    "302": ("25.5㎡", Decimal("25.50")),
    "303": ("25.5平方米", Decimal("25.50")),
    "304": ("１８．５", Decimal("18.50")),
    "305": (" 12 ", Decimal("12.00")),
}


class MessyInputTests(LedgerUploadCase):
    def messy_room_rows(self) -> list[list]:
        """Rooms on floor 3, every number typed as text."""
        return [ROOM_HEADERS] + [
            self.room_row(number, typed, floor="3") for number, (typed, _) in MESSY_AREAS.items()
        ]

    def assertRoomsImported(self, batch: ImportBatch, *, sheets: int):
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.PREVIEWED, batch.result)
        self.assertEqual(batch.result["counts"]["房间"]["created"], len(MESSY_AREAS))
        self.assertFalse(Room.objects.filter(floor__number=3).exists())  # a preview writes nothing
        services.do_commit(actor=self.user_with_perm, batch=batch)
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.COMMITTED, batch.result)
        rooms = Room.objects.filter(floor__building=self.world.a.building, floor__number=3)
        self.assertEqual(
            {r.number: r.usable_area for r in rooms},
            {number: meant for number, (_, meant) in MESSY_AREAS.items()},
        )
        self.assertEqual({r.category for r in rooms}, {"office"})
        self.assertEqual(
            ObjectChange.objects.filter(request_id=batch.uuid, action="create").count(),
            len(MESSY_AREAS) + sheets - 1,
        )

    def test_numbers_as_text_area_units_and_full_width_digits(self):
        a = self.world.a
        floors = [["区划代码", "院落名称", "楼座名称", "楼层号"], [a.region.code, a.compound.name, a.building.name, "3"]]  # fmt: skip
        batch = self.upload(xlsx_file({"楼层": floors, "房间": self.messy_room_rows()}))
        self.assertRoomsImported(batch, sheets=2)
        self.assertTrue(Floor.objects.filter(building=a.building, number=3).exists())

    def test_the_same_rows_as_a_gbk_csv(self):
        f.FloorFactory(building=self.world.a.building, number=3)
        text = "".join(",".join(str(v) for v in row) + "\r\n" for row in self.messy_room_rows())
        data = text.encode("gbk")
        with self.assertRaises(UnicodeDecodeError):
            data.decode("utf-8")  # really GBK, not UTF-8 that happens to decode
        batch = self.upload(SimpleUploadedFile("房间.csv", data), sheet_key="room")
        self.assertEqual(batch.sheet, "room")
        self.assertRoomsImported(batch, sheets=1)

    def test_dates_in_the_usual_spellings(self):
        a = self.world.a
        meant = {  # person number -> (date as written, date meant)
            "D1": ("2024-03-01", datetime.date(2024, 3, 1)),
            "D2": ("2024/3/2", datetime.date(2024, 3, 2)),
            "D3": ("2024年3月3日", datetime.date(2024, 3, 3)),
            "D4": ("20240304", datetime.date(2024, 3, 4)),
            "D5": (datetime.date(2024, 3, 5), datetime.date(2024, 3, 5)),  # a real date cell
            "D6": (datetime.datetime(2024, 3, 6, 9, 30), datetime.date(2024, 3, 6)),
            "D7": (20240307, datetime.date(2024, 3, 7)),  # typed as a number
            "D8": ("2024.3.8", datetime.date(2024, 3, 8)),
        }
        headers = [*PERSON_HEADERS, "在职状态", "状态变动日期"]
        rows = [headers] + [
            [a.org.uscc, number, f"人员{number}", "退休", written]
            for number, (written, _) in meant.items()
        ]
        batch = self.upload(xlsx_file({"人员": rows}))
        self.assertEqual(batch.status, ImportBatch.Status.PREVIEWED, batch.result)
        self.assertFalse(Person.objects.filter(number__in=meant).exists())
        services.do_commit(actor=self.user_with_perm, batch=batch)
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.COMMITTED, batch.result)
        people = Person.objects.filter(organization=a.org, number__in=meant)
        self.assertEqual(
            {p.number: p.status_changed_on for p in people},
            {number: date for number, (_, date) in meant.items()},
        )
        self.assertEqual({p.employment_status for p in people}, {"retired"})

    def test_dates_of_an_occupancy_sheet(self):
        a = self.world.a
        headers = ["人员所在单位", "人员编号", "区划代码", "院落名称", "楼座名称", "楼层号",
                   "房间号", "起始日期", "终止日期", "主要办公室"]  # fmt: skip
        site = [a.region.code, a.compound.name, a.building.name, "1", a.room.number]
        rows = [
            headers,
            [a.org.uscc, a.person.number, *site, "2023年1月1日", "2023/6/30", "否"],
            [a.org.uscc, a.person.number, *site, datetime.date(2022, 1, 1), "20221231", "否"],
        ]
        batch = self.upload(xlsx_file({"办公室使用": rows}))
        self.assertEqual(batch.status, ImportBatch.Status.PREVIEWED, batch.result)
        services.do_commit(actor=self.user_with_perm, batch=batch)
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.COMMITTED, batch.result)
        periods = set(
            a.person.occupancies.filter(started_on__year__lt=2024).values_list(
                "started_on", "ended_on", "is_primary"
            )
        )
        self.assertEqual(
            periods,
            {
                (datetime.date(2023, 1, 1), datetime.date(2023, 6, 30), False),
                (datetime.date(2022, 1, 1), datetime.date(2022, 12, 31), False),
            },
        )
