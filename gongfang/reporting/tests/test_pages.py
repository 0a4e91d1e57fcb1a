"""Pages and exports of reporting: the bureau, a county and a township unit see what they should;
the workbook round-trips; PDFs and receipts render; forged ids give 404."""

from __future__ import annotations

import datetime
import io

from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from .. import exports, services
from ..choices import SubmissionState
from ..models import ReportField, ReportForm, ValidationRule
from .world import ReportingWorld


class PageTests(ReportingWorld):
    def test_period_pages_by_account(self):
        url = self.period.get_absolute_url()
        for user in (self.city_bureau, self.county_bureau, self.town_unit):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                listing = self.client.get(reverse("reporting:reportperiod_list"))
                self.assertContains(listing, url)
                page = self.client.get(url)
                self.assertEqual(page.status_code, 200)
                self.assertContains(page, "填报进度清单")
        self.client.force_login(self.town_unit)
        page = self.client.get(url)
        self.assertContains(page, "荆河街道党政办")
        self.assertNotContains(page, "滕州市教育局")
        self.client.force_login(self.city_bureau)
        self.assertContains(self.client.get(url), "本级汇总")

    def test_fill_page_save_and_check_by_post(self):
        s = self.sub(self.town, org=True)
        self.client.force_login(self.town_unit)
        page = self.client.get(s.get_absolute_url())
        self.assertContains(page, 'name="cell_B03"')
        url = reverse("reporting:submission_act", args=[s.pk, "save"])
        self.client.post(
            url, {"cell_B02": "1", "cell_B12": "权属清晰", "version": s.version, "then": "check"}
        )
        s.refresh_from_db()
        self.assertEqual(s.state, SubmissionState.FILLING)
        page = self.client.get(s.get_absolute_url())
        self.assertContains(page, "gf-cell-error")
        self.assertContains(page, "办公用房使用面积合计应等于")

    def test_other_units_and_forged_ids(self):
        s = self.sub(self.county, org=True)
        self.client.force_login(self.town_unit)
        self.assertEqual(self.client.get(s.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get("/reporting/submissions/99999999/").status_code, 404)
        self.assertEqual(self.client.get("/reporting/periods/99999999/").status_code, 404)
        post = self.client.post(reverse("reporting:submission_act", args=[s.pk, "accept"]))
        self.assertEqual(post.status_code, 404)

    def test_receiver_returns_by_page(self):
        s = self.sub(self.town, org=True)
        self.send(s)
        self.client.force_login(self.town_bureau)
        page = self.client.get(s.get_absolute_url())
        self.assertContains(page, "接收或退回")
        self.client.post(
            reverse("reporting:submission_act", args=[s.pk, "return"]), {"reasons": "请补充权属"}
        )
        s.refresh_from_db()
        self.assertEqual(s.state, SubmissionState.RETURNED)
        receipt = s.actions.get(action="submit")
        response = self.client.get(reverse("reporting:submission_receipt", args=[s.pk, receipt.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_an_external_submission_is_sent_to_the_exchange_return(self):
        s = services.do_receive_external(
            period=self.period,
            unit=self.orgs[self.town.pk],
            content={"values": {"B12": "权属清晰"}},
            signer="李主任",
            signed_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
            actor=self.town_bureau,
        )
        self.client.force_login(self.town_bureau)
        page = self.client.get(s.get_absolute_url())
        self.assertContains(page, services.EXTERNAL_RETURN)
        self.assertContains(page, reverse("exchange:received", args=[s.pk]))
        act = reverse("reporting:submission_act", args=[s.pk, "return"])
        self.assertNotContains(page, act)
        response = self.client.post(act, {"reasons": "请补充权属"}, follow=True)
        self.assertContains(response, services.EXTERNAL_RETURN)
        s.refresh_from_db()
        self.assertEqual(s.state, SubmissionState.SUBMITTED)

    def test_form_pages_and_province_copy(self):
        self.client.force_login(self.city_bureau)
        self.assertContains(
            self.client.get(reverse("reporting:reportform_list")), "党政机关办公用房"
        )
        page = self.client.get(self.form.get_absolute_url())
        self.assertContains(page, "省部级领导干部办公室信息")
        self.assertContains(page, "房间·使用面积合计（用房类别：办公室）")
        self.assertNotContains(page, "复制为本省版本")  # a city does not copy


class ExportTests(ReportingWorld):
    def test_workbook_named_by_region_code_and_round_trip(self):
        s = self.sub(self.town, org=False)
        self.assertEqual(exports.workbook_name(s), "370481001000.xlsx")
        data = exports.submission_workbook(s)
        book = load_workbook(io.BytesIO(data))
        self.assertIn("A 行政区划信息", book.sheetnames)
        sheet = book["B 办公用房信息"]
        for row in sheet.iter_rows(min_row=exports.FIRST_ROW + 1):
            if row[0].value == "B12":
                row[3].value = "部分不清"
        buffer = io.BytesIO()
        book.save(buffer)
        values = exports.read_workbook(s, buffer.getvalue())
        self.assertEqual(values["B12"], "部分不清")
        self.assertEqual(values["A01"], "370481001")
        services.do_save(submission=s, values=values, actor=self.town_bureau, action="import")
        s.refresh_from_db()
        self.assertEqual(s.values["B12"], "部分不清")

    def test_bad_workbook_refused_in_chinese(self):
        s = self.sub(self.town, org=True)
        with self.assertRaisesMessage(Exception, "无法读取"):
            exports.read_workbook(s, b"not a workbook")

    def test_pdf_with_signer_block(self):
        s = self.sub(self.town, org=True)
        self.send(s)
        self.client.force_login(self.town_unit)
        response = self.client.get(reverse("reporting:submission_export", args=[s.pk, "pdf"]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))
        xlsx = self.client.get(reverse("reporting:submission_export", args=[s.pk, "xlsx"]))
        self.assertIn("370481001000", xlsx["Content-Disposition"])


class FormVersionTests(ReportingWorld):
    def test_province_copies_and_edits_its_version(self):
        from ...accounts.roles import Role
        from ...framework.services import service_for
        from ...registry.tests.world import make_user

        province = self.city.parent
        bureau = make_user("sd_bureau", [Role.BUREAU_ADMIN], scope_region=province)
        copy = services.do_copy_form(form=self.form, region=province, actor=bureau)
        self.assertEqual(copy.tables.count(), 5)
        self.assertEqual(copy.rules.count(), self.form.rules.count())
        rule = ValidationRule.objects.get(form=copy, code="R06")
        service_for(ValidationRule).update(actor=bureau, instance=rule, data={"right": "B11*24"})
        self.assertEqual(ValidationRule.objects.get(form=self.form, code="R06").right, "B11*30")
        with self.assertRaises(ValidationError):
            service_for(ValidationRule).update(
                actor=bureau, instance=rule, data={"right": "__import__('os')"}
            )
        national = ReportField.objects.get(table__form=self.form, code="B03")
        with self.assertRaises(ValidationError):
            service_for(ReportField).update(actor=bureau, instance=national, data={"label": "改"})
        self.assertEqual(ReportForm.objects.filter(region=province).count(), 1)
