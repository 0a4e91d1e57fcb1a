"""The lists of titles, use certificates, approved uses and construction projects export their
filtered rows like the registry's lists: Chinese headers and labels, the account's scope only,
and each file an audited event."""

from __future__ import annotations

import io

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from ...framework.models import ObjectChange
from ...titles.tests.world import TitlesWorldMixin


class ListExportTests(TitlesWorldMixin, TestCase):
    def test_titles_and_certificates_export_in_scope(self):
        w = self.world
        self.client.force_login(self.user_with_perm)  # side a's bureau
        page = self.client.get(reverse("titles:usecertificate_list"))
        self.assertContains(page, "导出筛选结果（CSV）")
        response = self.client.get(reverse("titles:usecertificate_list"), {"export": "csv"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        lines = response.content.decode("utf-8-sig").splitlines()
        self.assertEqual(lines[0].split(",")[:3], ["证号", "使用单位", "所在区划"])
        self.assertEqual(len(lines), 2)  # side b's certificate is out of scope
        self.assertIn(w.a.certificate.number, lines[1])
        self.assertIn(w.a.org.name, lines[1])
        self.assertIn("有效", lines[1])  # the state's label, not its code
        self.assertNotIn(w.a.certificate.verify_token, response.content.decode("utf-8-sig"))
        event = ObjectChange.objects.get(event="list.export")
        self.assertEqual(event.user, self.user_with_perm)
        self.assertEqual(event.postchange_data["list"], "使用权证")
        self.assertEqual(event.postchange_data["rows"], 1)

        response = self.client.get(reverse("titles:title_list"), {"export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:4], ("院落", "楼座", "所在区划", "权属类型"))
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][1], str(w.a.building))
        self.assertEqual(rows[1][3], w.a.title.get_kind_display())

    def test_case_record_lists_offer_the_export(self):
        self.client.force_login(self.user_with_perm)
        for name in ("cases:approveduse_list", "cases:constructionproject_list"):
            response = self.client.get(reverse(name), {"export": "csv"})
            self.assertEqual(response.status_code, 200, name)
            header = response.content.decode("utf-8-sig").splitlines()[0]
            self.assertTrue(header.startswith("审批事项,"), header)
