"""The maintenance lists export their filtered rows like the registry's lists: Chinese headers
and labels, the account's scope only, each file an audited event."""

from __future__ import annotations

import io

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from ...framework.models import ObjectChange
from .world import MaintenanceWorldMixin

LISTS = (
    "maintenance:maintenanceproject_list",
    "maintenance:progressreport_list",
    "maintenance:maintenancepayment_list",
    "maintenance:threeyearplan_list",
    "maintenance:planproposal_list",
    "maintenance:servicecontract_list",
    "maintenance:budget_list",
    "maintenance:expense_list",
)


class MaintenanceExportTests(MaintenanceWorldMixin, TestCase):
    def test_projects_export_in_scope_with_labels(self):
        w = self.world
        self.client.force_login(self.user_with_perm)  # side a's bureau
        page = self.client.get(reverse("maintenance:maintenanceproject_list"))
        self.assertContains(page, "导出筛选结果（CSV）")
        response = self.client.get(
            reverse("maintenance:maintenanceproject_list"), {"export": "xlsx"}
        )
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        self.assertEqual(rows[0][:4], ("所在区划", "申报单位", "院落", "楼座"))
        titles = {row[5] for row in rows[1:]}
        self.assertEqual(len(rows), 3)  # side a's two projects; side b's are out of scope
        self.assertIn(w.a.project.title, titles)
        stage_column = rows[0].index("阶段")
        self.assertIn(w.a.project.get_stage_display(), [row[stage_column] for row in rows[1:]])
        event = ObjectChange.objects.get(event="list.export")
        self.assertEqual(event.postchange_data["list"], "维修项目")
        self.assertEqual(event.postchange_data["rows"], 2)

    def test_every_list_exports_as_csv(self):
        self.client.force_login(self.user_with_perm)
        for name in LISTS:
            with self.subTest(name):
                response = self.client.get(reverse(name), {"export": "csv"})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
                header = response.content.decode("utf-8-sig").splitlines()[0]
                self.assertRegex(header, r"^[\u4e00-\u9fff]")
