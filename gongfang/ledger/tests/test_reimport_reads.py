"""A district re-imports its own export (issue 10, point 6): rows that refer to what the account
may read but not write come back unchanged; changing such a row is an error of that row."""

from __future__ import annotations

import datetime
import io

from django.test import TestCase

from ...registry.tests import factories as f
from ...registry.tests.world import WorldMixin
from ..exporter import export_ledger
from ..importer import run_import
from ..reader import read_workbook


class DistrictReimportTests(WorldMixin, TestCase):
    def setUp(self):
        a, b = self.world.a, self.world.b
        # 滕州's person holds a post in a unit of 市中区 and once used a room there.
        f.PostFactory(person=a.person, organization=b.org)
        f.OccupancyFactory(
            person=a.person,
            room=b.room,
            is_primary=False,
            started_on=datetime.date(2023, 1, 1),
            ended_on=datetime.date(2023, 6, 30),
        )
        self.sheets = read_workbook("x.xlsx", io.BytesIO(export_ledger(actor=self.user_with_perm)))

    def test_the_unchanged_export_imports_as_unchanged(self):
        result = run_import(actor=self.user_with_perm, sheets=self.sheets, commit=True)
        assert result.ok, [(e.sheet, e.row, e.message) for e in result.errors]
        assert result.total("created") + result.total("updated") == 0
        assert result.counts["兼职"].unchanged >= 1
        assert result.counts["办公室使用"].unchanged >= 1

    def test_changing_such_a_row_is_an_error_of_that_row(self):
        sheet = next(s for s in self.sheets if s.name == "办公室使用")
        headers = sheet.headers
        row = next(
            values
            for _, values in sheet.rows
            if str(values[headers.index("房间号")]) == "101"
            and values[headers.index("终止日期")] not in (None, "")
        )
        row[headers.index("终止日期")] = "2023-07-31"
        result = run_import(actor=self.user_with_perm, sheets=self.sheets)
        assert not result.ok
        assert any("超出您的管辖范围" in e.message for e in result.errors), result.errors
