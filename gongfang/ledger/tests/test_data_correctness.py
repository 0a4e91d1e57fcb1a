"""Issue 10, data correctness on the ledger's side: imports refuse what pages and API refuse
(control characters, implausible areas, a second occupancy of one room by one person), and
every export writes what is already stored, control characters included."""

from __future__ import annotations

import csv
import io

import openpyxl
from django.test import TestCase
from django.urls import reverse

from ...registry.models import Occupancy, Room
from ...registry.tests.world import WorldMixin
from ..importer import run_import
from ..reader import RawSheet
from ..specs import SHEETS

ROOM_KEY = ["区划代码", "院落名称", "楼座名称", "楼层号", "房间号"]
ROOM = [*ROOM_KEY, "房间名称", "用房类别", "使用面积", "建筑面积"]


def sheet(title: str, headers: list[str], *rows: list) -> RawSheet:
    return RawSheet(title, headers, [(n, list(r)) for n, r in enumerate(rows, start=2)])


class ImportRefusesTests(WorldMixin, TestCase):
    def room_key(self) -> list:
        a = self.world.a
        return [a.region.code, a.compound.name, a.building.name, a.floor.number, a.room.number]

    def errors(self, *sheets: RawSheet) -> list:
        result = run_import(actor=self.user_with_perm, sheets=list(sheets), commit=True)
        assert not result.committed
        return result.errors

    def test_control_characters_in_a_room_name(self):
        errors = self.errors(
            sheet("房间", ROOM, [*self.room_key(), "档案\x01室", "办公室", "18", "25"])
        )
        assert any("房间名称含有不可见的控制字符（U+0001）" in e.message for e in errors), errors
        assert Room.objects.get(pk=self.world.a.room.pk).name == ""

    def test_an_implausible_area(self):
        errors = self.errors(
            sheet("房间", ROOM, [*self.room_key(), "", "办公室", "1000000000", ""])
        )
        assert any("合理上限 300 平方米" in e.message for e in errors), errors

    def test_a_second_occupancy_of_the_same_room(self):
        a = self.world.a
        headers = ["人员所在单位", "人员编号", *ROOM_KEY, "起始日期", "主要办公室"]
        row = [a.org.uscc, a.person.number, *self.room_key(), "2025-03-01", "否"]
        errors = self.errors(sheet("办公室使用", headers, row))
        assert any("时间重叠" in e.message for e in errors), errors
        assert Occupancy.objects.filter(person=a.person).count() == 1

    def test_two_rows_of_the_file_for_one_person_in_one_room(self):
        a = self.world.a
        Room.objects.create(floor=a.floor, number="102", category="office", usable_area=12)
        key = [a.region.code, a.compound.name, a.building.name, a.floor.number, "102"]
        headers = ["人员所在单位", "人员编号", *ROOM_KEY, "起始日期", "终止日期", "主要办公室"]
        rows = [
            [a.org.uscc, a.person.number, *key, "2025-03-01", "", "否"],
            [a.org.uscc, a.person.number, *key, "2024-03-01", "2025-03-01", "否"],
            [a.org.uscc, a.person.number, *key, "2023-03-01", "2023-12-31", "否"],
        ]
        errors = self.errors(sheet("办公室使用", headers, *rows))
        assert [e.row for e in errors] == [3], errors
        assert "2025-03-01 起至今" in errors[0].message
        assert not Occupancy.objects.filter(room__number="102").exists()


class ExportOfStoredControlCharactersTests(WorldMixin, TestCase):
    """A name stored before control characters were refused: every export still answers."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Room.objects.filter(pk=cls.world.a.room.pk).update(name="档案\x01室")

    def setUp(self):
        self.client.force_login(self.user_with_perm)

    def test_room_list_exports_as_xlsx_and_csv(self):
        url = reverse("registry:room_list")
        response = self.client.get(url, {"export": "xlsx"})
        assert response.status_code == 200
        ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert "档案室" in [c.value for c in ws[2]]
        response = self.client.get(url, {"export": "csv"})
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert "档案室" in rows[1]
        assert "\x01" not in response.content.decode("utf-8-sig")

    def test_whole_ledger_export(self):
        response = self.client.get(reverse("ledger:export"))
        assert response.status_code == 200
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        assert [s.title for s in SHEETS] == wb.sheetnames
        assert "档案室" in [c.value for c in wb["房间"][2]]
